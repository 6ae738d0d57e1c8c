"""One typing.Protocol per storage concern. Functions see only these.

Every port also has `health() -> None` (raises Unavailable) and `close()`.
Adapters live in shared/adapters/<port>/<backend>.py and are picked by URL scheme
(shared/backends.py).
"""

from shared.ports.accounts import Accounts
from shared.ports.blobs import Blobs
from shared.ports.bus import Bus, Consumer, Delivery
from shared.ports.content import Content
from shared.ports.graph import Graph
from shared.ports.live import Listener, Live, Subscription
from shared.ports.mail import Mail
from shared.ports.search import Search

__all__ = [
    "Accounts",
    "Blobs",
    "Bus",
    "Consumer",
    "Content",
    "Delivery",
    "Graph",
    "Listener",
    "Live",
    "Mail",
    "Search",
    "Subscription",
]
