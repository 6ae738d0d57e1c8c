"""The one parser for JSON that arrives from outside: HTTP bodies, WebSocket frames, MQTT
payloads and bus events all come through `load_object`.

Python's json module fails in more ways than JSONDecodeError on hostile input: deep
nesting raises RecursionError, and an integer of more than 4,300 digits raises a plain
ValueError (CPython's limit on int/str conversion). Both are bad input, never a fault of
ours, so both become Invalid here. Documents nested deeper than MAX_DEPTH are refused
too: no record Townsquare accepts is nested more than a few levels, and a deep tree only
costs the handlers that walk it.
"""

from __future__ import annotations

import json
from typing import Any

from shared.errors import Invalid

MAX_DEPTH = 32


def load_object(raw: bytes | str, *, what: str = "the body", field: str = "body") -> dict:
    """`raw` as a JSON object; Invalid naming `field` when it is anything else."""
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(f"{what} is not valid JSON: {exc}", field=field) from None
    except RecursionError:
        raise Invalid(f"{what} is nested too deeply", field=field) from None
    except (
        ValueError
    ) as exc:  # e.g. "Exceeds the limit (4300 digits) for integer string conversion"
        raise Invalid(f"{what} holds a value JSON cannot carry here: {exc}", field=field) from None
    if not isinstance(value, dict):
        raise Invalid(f"{what} must be a JSON object", field=field)
    if depth(value) > MAX_DEPTH:
        raise Invalid(f"{what} is nested more than {MAX_DEPTH} levels deep", field=field)
    return value


def depth(value: Any) -> int:
    """How deeply `value` nests lists and objects (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest
