"""The search contract: one body of tests for every Search adapter.

Each test puts its documents behind a fresh visibility token (and fresh words
where a document is public), so runs on a shared server never see each other.
"""

from __future__ import annotations

import uuid as _uuid

import pytest

from shared.adapters.search import MARK_END, MARK_START
from shared.records import SearchDoc, utcnow
from tests.contract.conftest import backend_params, open_adapter, unique

FILLER = "a quiet afternoon by the harbour with tea and some biscuits"


@pytest.fixture(params=backend_params("search"))
def search(request, tmp_path):
    adapter = open_adapter("search", request.param, tmp_path)
    yield adapter
    adapter.close()


@pytest.fixture
def token() -> str:
    return unique("group:")


def word() -> str:
    """A made-up word no other test uses (letters only, one token for every analyzer)."""
    return "".join(chr(ord("a") + int(digit, 16)) for digit in _uuid.uuid4().hex[:12])


def doc(title: str, text: str = FILLER, *, token: str, type: str = "posts", uuid=None):
    return SearchDoc(type, uuid or unique(), title, text, (token,), utcnow())


def found(search, text: str, token: str, **kw) -> list[str]:
    kw = {"types": [], "limit": 10} | kw
    return [hit.uuid for hit in search.query(text, visible_to=[token], **kw)]


def test_a_title_match_ranks_above_a_text_match(search, token):
    term = word()
    in_text = doc("ordinary news", f"{FILLER} {term}", token=token)
    in_title = doc(f"{term} news", FILLER, token=token)
    elsewhere = doc("ordinary news", token=token)
    for each in (in_text, in_title, elsewhere):
        search.index(each)
    hits = search.query(term, types=[], visible_to=[token], limit=10)
    assert [hit.uuid for hit in hits] == [in_title.uuid, in_text.uuid]
    assert hits[0].score > hits[1].score


def test_more_matches_rank_higher(search, token):
    term = word()
    once = doc("news", f"{term} and then a long ramble about nothing much at all", token=token)
    thrice = doc("news", f"{term} and {term} again, {term} all day long", token=token)
    search.index(once)
    search.index(thrice)
    assert found(search, term, token) == [thrice.uuid, once.uuid]


def test_every_word_must_match_and_limit_holds(search, token):
    first, second = word(), word()
    both = doc(f"{first} {second}", token=token)
    only_first = [doc(first, token=token) for _ in range(3)]
    for each in (both, *only_first):
        search.index(each)
    assert found(search, f"{first} {second}", token) == [both.uuid]
    assert len(found(search, first, token, limit=2)) == 2


def test_a_private_doc_reaches_only_holders_of_its_token(search, token):
    term = word()
    public = doc(term, token="public")
    private = doc(term, token=token)
    search.index(public)
    search.index(private)
    assert found(search, term, "public") == [public.uuid]
    both = search.query(term, types=[], visible_to=["public", token], limit=10)
    assert {hit.uuid for hit in both} == {public.uuid, private.uuid}
    assert search.query(term, types=[], visible_to=[], limit=10) == []
    assert found(search, term, unique("group:")) == []


def test_types_filter(search, token):
    term = word()
    post = doc(term, token=token, type="posts")
    user = doc(term, token=token, type="users")
    group = doc(term, token=token, type="groups")
    for each in (post, user, group):
        search.index(each)
    assert found(search, term, token, types=["users"]) == [user.uuid]
    assert set(found(search, term, token, types=["posts", "groups"])) == {post.uuid, group.uuid}
    assert set(found(search, term, token)) == {post.uuid, user.uuid, group.uuid}
    hit = search.query(term, types=["users"], visible_to=[token], limit=1)[0]
    assert (hit.type, hit.uuid) == ("users", user.uuid)


def test_indexing_again_replaces_by_type_and_uuid(search, token):
    old, new = word(), word()
    first = doc(old, token=token)
    search.index(first)
    search.index(first.replace(title=new, visibility=("public", token)))
    assert found(search, old, token) == []
    assert found(search, new, token) == [first.uuid]
    assert found(search, new, "public") == [first.uuid]
    same_uuid_other_type = first.replace(type="users", title=new)
    search.index(same_uuid_other_type)
    assert len(found(search, new, token)) == 2


def test_remove(search, token):
    term = word()
    kept, removed = doc(term, token=token), doc(term, token=token)
    search.index(kept)
    search.index(removed)
    search.remove("posts", removed.uuid)
    search.remove("posts", removed.uuid)  # removing what is gone is fine
    search.remove("posts", unique())
    assert found(search, term, token) == [kept.uuid]


HOSTILE = ['"', '""', "AND OR", "NOT", "*", "(", ")", "NEAR", "NEAR(a b)", "a:b", "title:x",
           "-", "^", "\\", "{}[]", "'; DROP TABLE x; --", "", "   ", "ünïcödé 日本語", "🙂", "a" * 300,
           "\ud800 lone \udfff", "\x00\x1f\x7f", "x" * 10_000, "word " * 2_000, "wild*card", "te?t",
           "~2", "[a TO z]", "/re.*/", "花見", "東", "مرحبا", "#tag", "\u202e\u200b\ufeff"]  # fmt: skip


def test_hostile_query_text_is_never_an_error(search, token):
    operators = doc(f"AND OR NOT NEAR {word()}", token=token)
    search.index(operators)
    for hostile in HOSTILE:
        hits = search.query(hostile, types=[], visible_to=[token], limit=10)
        assert isinstance(hits, list), hostile
    for words in ("AND OR", "NOT", "near", "(NEAR)", '"and'):  # operators are words here
        assert found(search, words, token) == [operators.uuid], words


def test_a_document_with_lone_surrogates_is_indexed_and_found(search, token):
    term = word()
    search.index(doc(f"half \ud800 pair {term}", f"text \udfff {term}", token=token))
    assert len(found(search, term, token)) == 1


def test_operators_and_quotes_around_words_still_find_them(search, token):
    term = word()
    target = doc(f"Café naïve {term}", token=token)
    search.index(target)
    for text in (f'"{term}"', f"{term}*", f"({term})", f"-{term}", f'"{term}', f"CAFE {term}"):
        assert found(search, text, token) == [target.uuid], text


def test_snippet_marks_the_matched_term(search, token):
    term = word()
    text = f"{FILLER} and then, unexpectedly, {term} appeared in the middle. {FILLER}"
    search.index(doc("plain title", text, token=token))
    [hit] = search.query(term, types=[], visible_to=[token], limit=10)
    assert f"{MARK_START}{term}{MARK_END}" in hit.snippet
    [title_hit] = search.query("plain", types=[], visible_to=[token], limit=10)
    assert "plain" in title_hit.snippet.lower()


def test_health(search):
    search.health()


# --- every language (the relevance suite in tests/relevance measures how well) ---------


@pytest.mark.parametrize(
    ("text", "queries"),
    [
        ("週末は上野公園で花見をしました", ["花見", "花", "上野公園"]),
        ("東京タワーに行きました", ["東京", "タワー"]),
        ("我们周末去北京看长城", ["北京", "长城", "城"]),
        ("서울에서 친구를 만났어요", ["서울"]),
        ("Fußballverein gewinnt", ["fußballverein", "Verein", "FUSSBALLVEREIN"]),
        ("Der Schlüssel liegt hier", ["schluessel", "Schlüssel", "schlussel"]),
        ("Zürich café crème", ["zurich", "CAFE", "Crème"]),
        ("مَدْرَسَة الحي", ["مدرسة", "المدرسة"]),
        ("أحمد في القاهرة", ["احمد", "القاهرة"]),
        ("launch party tonight 🎉", ["🎉", "party 🎉"]),
        ("weekend loop #hiking", ["#hiking", "hiking"]),
    ],
)
def test_every_script_finds_its_words(search, token, text, queries):
    term = word()
    target = doc("plain title", f"{text} {term}", token=token)
    search.index(target)
    search.index(doc("plain title", f"something else entirely {term}", token=token))
    for query in queries:
        assert found(search, f"{query} {term}", token) == [target.uuid], query


def test_a_short_cjk_query_marks_its_match_in_the_snippet(search, token):
    search.index(doc("plain title", "週末は上野公園で花見をしました", token=token))
    [hit] = search.query("花見", types=[], visible_to=[token], limit=10)
    assert f"で{MARK_START}花" in hit.snippet and MARK_END in hit.snippet


def test_a_typo_finds_the_word_when_nothing_else_matches(search, token):
    term = word()
    target = doc("plain title", f"marathon {term} training", token=token)
    search.index(target)
    typo = term[:4] + term[5:]  # one letter dropped
    assert found(search, typo, token) == [target.uuid]


def test_a_hashtag_ranks_tagged_posts_first(search, token):
    term = word()
    tagged = doc(
        "plain title", f"out on the hills #{term} with friends and a long walk", token=token
    )
    untagged = doc("plain title", f"{term} day", token=token)
    search.index(untagged)
    search.index(tagged)
    assert found(search, f"#{term}", token)[0] == tagged.uuid


@pytest.mark.parametrize(
    ("query", "mode"),
    [
        ("", "wait_for"),
        ("?refresh=true", "true"),
        ("?refresh=false", "false"),
        ("?refresh=x", "wait_for"),
    ],
)
def test_the_search_url_says_how_writes_meet_the_refresh(query, mode):
    from shared.adapters.search.elastic import OpenSearchSearch

    adapter = OpenSearchSearch.from_url(f"opensearch://127.0.0.1:1/some-index{query}")
    assert (adapter.refresh, adapter.index_name) == (mode, "some-index")
    adapter.close()


def test_index_many_writes_a_batch_that_replaces_by_type_and_uuid(search, token):
    shared, renamed = word(), word()
    batch = [doc(f"{shared} {n}", token=token) for n in range(5)]
    search.index_many(batch)
    search.index_many([batch[0].replace(title=renamed)])  # indexing again replaces
    assert sorted(found(search, shared, token)) == sorted(d.uuid for d in batch[1:])
    assert found(search, renamed, token) == [batch[0].uuid]
    search.index_many([])  # nothing to write is no error
