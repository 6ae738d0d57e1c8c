"""groups: create, read and soft-delete groups; join, leave, add, remove and promote members.

Visibility (functions.visibility.group_is_visible is the rule): a public group and its
member list are visible to anyone signed in; a PRIVATE group is invisible to non-members
— its record, its members and any action on it answer 404, exactly as if it did not
exist, and search only shows it to members (group_tokens). We chose this over "record
public, member list private" because a private group's name alone can say too much
("Support group for ..."), and it keeps groups, search and posts under one rule.
A deleted group is 404 to everyone.

Who may do what (403 for a visible group you may not change):
- anyone may join a public group themselves; adding someone else, or anyone to a
  private group, is for admins; a new member is never an admin;
- admins delete the group, promote and demote members, and remove members; anyone
  may leave;
- the last admin can neither demote themselves nor leave (409): promote someone
  first, or delete the group.

Membership is stored in accounts (the consistent store); `group.member_joined` and
`group.member_left` mirror it into the graph, and groups are indexed for search on
`group.created` and removed on `group.deleted`.
"""
