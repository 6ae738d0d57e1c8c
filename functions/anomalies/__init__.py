"""anomalies: live counters over the event stream, an online detector over them, and the
flags it raises (`anomaly.detected`), served to operators at GET /insights/anomalies and
pushed on their streams.

- counters.py: the event functions that count (messages per account and per group, posts,
  failed logins per account and overall, device errors per device) and the minute tick that
  judges HTTP traffic and server errors (counted by the triggers, shared/livestats.py);
- detector.py: the families of series, their floors, and the robust z-score (river);
- serve.py: GET /insights/anomalies?since=.
"""
