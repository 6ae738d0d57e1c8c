"""Search on Elasticsearch or OpenSearch: one mapping, one query, two clients.

URLs: ``opensearch://host:port[/index]`` (opensearch-py) and
``elasticsearch://host:port[/index]`` (elasticsearch-py 8/9); ``user:pass@`` is
passed as basic auth, ``?tls=1`` switches to https, ``?refresh=true`` makes every write
refresh the index itself (see below). The index defaults to ``townsquare-2`` and is
created, with the mapping below, when missing.

- A document's id is ``{type}:{uuid}``, so indexing again replaces it.
- title and text share one analyzer (standard tokenizer, CJK width folding,
  lowercase, Arabic normalisation and light stemming, German normalisation, ascii
  folding, CJK bigrams beside unigrams, porter stemming, no stop words) — the same
  words the FTS5 backend finds, from analysis-common alone (no ICU plugin runs here).
  `title_extra` and `text_extra` hold shared.adapters.search.terms' extra terms
  (hashtags, compound heads), as in FTS5. `type` and `visibility` are keywords, used
  as filters only. A mapping change gets a new index name (DEFAULT_INDEX), since an
  index's analysis cannot change in place; `townsquare backfill search` fills it.
- The query is a multi_match (title^2, text and their extras; every word must match,
  across the fields), never query_string: user text is data, not a query language.
  Hashtag terms of the query add to the score. A query that finds nothing is tried
  once more with fuzziness (AUTO, first letter fixed), so typos still find.
- index_many() writes a batch in one bulk request, refreshed once for the batch.
- Writes use ``refresh="wait_for"``: a write returns once it is searchable, so a
  read right after a write sees it (at the price of up to one refresh interval,
  REFRESH_INTERVAL: a quarter second here, a second by the server's default).
  ``?refresh=true`` keeps that promise by refreshing at once (milliseconds, but a
  small segment per write): for tests and light write loads. ``?refresh=false`` drops
  it: a write returns at once and is searchable at the next refresh anyway, so one
  indexing consumer is no longer held to a write per refresh (bench/search_speed.py).
- `score` is Elasticsearch's _score; `snippet` comes from the highlighter.
- Connection errors, timeouts and 429/502/503/504 answers become Unavailable.

The two official clients refuse each other's servers, so the classes differ only
in how they build their client and which exceptions it raises.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any
from urllib.parse import parse_qs, urlsplit

from shared.adapters.search import MARK_END, MARK_START, SNIPPET_WORDS, free_text
from shared.adapters.search.terms import HASHTAG, extra_terms, fold
from shared.backends import DEFAULT_TIMEOUT
from shared.errors import Unavailable
from shared.records import SearchDoc, SearchHit, iso

DEFAULT_INDEX = "townsquare-2"  # -2: the analysis of schema 2 (CJK, Arabic, extras)
SNIPPET_CHARS = SNIPPET_WORDS * 8
BUSY = (429, 502, 503, 504)  # answers that mean "try again later"

REFRESH_MODES = {"1": "true", "true": "true", "yes": "true", "false": "false", "0": "false"}
REFRESH_INTERVAL = "250ms"  # how soon a write is searchable (the server's default is 1 s)
FILTERS = [
    "cjk_width",
    "lowercase",
    "arabic_normalization",
    "arabic_stem",
    "german_normalization",
    "asciifolding",
    "townsquare_cjk_bigram",
    "porter_stem",
]
SETTINGS = {
    "number_of_shards": 1,  # one shard: scores from one set of term statistics
    "refresh_interval": REFRESH_INTERVAL,
    "analysis": {
        "filter": {"townsquare_cjk_bigram": {"type": "cjk_bigram", "output_unigrams": True}},
        "analyzer": {
            "townsquare_text": {"type": "custom", "tokenizer": "standard", "filter": FILTERS}
        },
    },
}
# one analyzer for all four: cross_fields asks "every word" per group of same-analyzer fields
TEXT = {"type": "text", "analyzer": "townsquare_text"}
FIELDS = ["title^2", "text", "title_extra^2", "text_extra"]
MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "type": {"type": "keyword"},
        "uuid": {"type": "keyword"},
        "title": TEXT,
        "text": TEXT,
        "title_extra": TEXT,
        "text_extra": TEXT,
        "visibility": {"type": "keyword"},
        "created_at": {"type": "date"},
    },
}


def doc_id(type: str, uuid: str) -> str:
    return f"{type}:{uuid}"


def document(doc: SearchDoc) -> dict:
    title, text = free_text(doc.title, None), free_text(doc.text, None)
    return {
        "type": doc.type,
        "uuid": doc.uuid,
        "title": title,
        "text": text,
        "title_extra": extra_terms(title),
        "text_extra": extra_terms(text),
        "visibility": list(doc.visibility),
        "created_at": iso(doc.created_at),
    }


def search_body(
    text: str, types: list[str], visible_to: list[str], limit: int, *, fuzzy: bool = False
) -> dict:
    filters: list[dict] = [{"terms": {"visibility": visible_to}}]
    if types:
        filters.append({"terms": {"type": types}})
    match: dict = {"query": text, "fields": FIELDS, "type": "cross_fields", "operator": "and"}
    if fuzzy:  # cross_fields cannot be fuzzy; best_fields asks every word of one field
        match |= {"type": "best_fields", "fuzziness": "AUTO", "prefix_length": 1}
    # the last word may also be the start of a word (search-as-you-type, as in FTS5)
    as_typed = {"query": text, "fields": FIELDS, "type": "bool_prefix", "operator": "and"}
    either = {"bool": {"should": [{"multi_match": match}, {"multi_match": as_typed}]}}
    tags = [f"tag{fold(word)}" for word in HASHTAG.findall(text)]
    boost = [{"match": {"text_extra": " ".join(tags)}}] if tags else []
    return {
        "size": limit,
        "query": {"bool": {"must": [either], "should": boost, "filter": filters}},
        "sort": ["_score", {"created_at": "desc"}],
        "track_scores": True,
        "_source": ["type", "uuid", "text"],
        "highlight": {
            "pre_tags": [MARK_START],
            "post_tags": [MARK_END],
            "fields": {"text": {}, "title": {}},
            "fragment_size": SNIPPET_CHARS,
            "number_of_fragments": 1,
            "no_match_size": SNIPPET_CHARS,
        },
    }


def hit(raw: dict) -> SearchHit:
    source, marked = raw["_source"], raw.get("highlight", {})
    snippet = _marked(marked.get("text")) or _marked(marked.get("title")) or marked.get("text")
    return SearchHit(
        type=source["type"],
        uuid=source["uuid"],
        score=float(raw["_score"]),
        snippet=(snippet or [source["text"][:SNIPPET_CHARS]])[0],
    )


def _marked(fragments: list[str] | None) -> list[str] | None:
    """The fragments if they carry a match (no_match_size fills in unmarked text otherwise)."""
    return fragments if fragments and MARK_START in fragments[0] else None


class _ElasticSearch:
    """The shared body; subclasses say how to build the client and what it raises."""

    def __init__(self, client: Any, index: str = DEFAULT_INDEX, refresh: str = "wait_for") -> None:
        self.client = client
        self.index_name = index
        self.refresh = refresh
        self._ready = False
        self.unavailable, self.not_found, self.bad_request, self.api_error = self.driver_errors()

    @classmethod
    def from_url(cls, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> _ElasticSearch:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        tls = query.get("tls", ["0"])[0] in ("1", "true", "yes")
        refresh = REFRESH_MODES.get(query.get("refresh", [""])[0], "wait_for")
        scheme = "https" if tls else "http"
        host = f"{scheme}://{parts.hostname or '127.0.0.1'}:{parts.port or 9200}"
        auth = (parts.username, parts.password or "") if parts.username else None
        index = parts.path.strip("/") or DEFAULT_INDEX
        return cls(cls.build_client(host, auth, timeout), index, refresh)

    @staticmethod
    def build_client(host: str, auth: tuple[str, str] | None, timeout: float) -> Any:
        """The client; each request bounded by `timeout` seconds (one retry on a fault)."""
        raise NotImplementedError

    @staticmethod
    def driver_errors() -> tuple[tuple[type[Exception], ...], type[Any], type[Any], type[Any]]:
        """(connection failures, not found, bad request, any answered error) of this client."""
        raise NotImplementedError

    def _call(self, action: Callable[[], Any]) -> Any:
        """Run one request, creating the index first if needed; driver errors → Unavailable."""
        try:
            if not self._ready:
                self._ensure_index()
            return action()
        except self.unavailable as error:
            self._ready = False  # a server back from an outage may have lost the index
            raise Unavailable(f"search server unavailable: {error}") from error
        except self.api_error as error:
            if error.status_code not in BUSY:
                raise
            raise Unavailable(f"search server busy: {error}") from error

    def _ensure_index(self) -> None:
        if not self.client.indices.exists(index=self.index_name):
            try:
                body = {"settings": SETTINGS, "mappings": MAPPINGS}
                self.client.indices.create(index=self.index_name, body=body)
            except self.bad_request as error:
                if "already_exists" not in str(error):
                    raise
                # another process created it meanwhile
        self._ready = True

    def index(self, doc: SearchDoc) -> None:
        self._call(
            lambda: self.client.index(
                index=self.index_name,
                id=doc_id(doc.type, doc.uuid),
                body=document(doc),
                refresh=self.refresh,
            )
        )

    def index_many(self, docs: list[SearchDoc]) -> None:
        """One bulk request; with the default refresh mode it waits for one refresh for
        the whole batch, not one per document."""
        if not docs:
            return
        actions: list[dict] = []
        for doc in docs:
            actions += [
                {"index": {"_index": self.index_name, "_id": doc_id(doc.type, doc.uuid)}},
                document(doc),
            ]
        done = self._call(lambda: self.client.bulk(body=actions, refresh=self.refresh))
        failed = [item["index"] for item in done["items"] if item["index"].get("error")]
        if any(item.get("status") in BUSY for item in failed):
            raise Unavailable(f"search server busy: {len(failed)} of {len(docs)} not indexed")
        if failed:
            raise RuntimeError(f"search: {len(failed)} of {len(docs)} not indexed: {failed[0]}")

    def remove(self, type: str, uuid: str) -> None:
        def delete() -> None:
            with suppress(self.not_found):  # removing what is gone is done
                self.client.delete(
                    index=self.index_name, id=doc_id(type, uuid), refresh=self.refresh
                )

        self._call(delete)

    def query(
        self, text: str, *, types: list[str], visible_to: list[str], limit: int
    ) -> list[SearchHit]:
        """`types` empty means every type; `visible_to` empty means nothing is visible."""
        text = free_text(text)
        if not text.strip() or not visible_to or limit <= 0:
            return []
        hits = self._search(search_body(text, types, visible_to, limit))
        return hits or self._search(search_body(text, types, visible_to, limit, fuzzy=True))

    def _search(self, body: dict) -> list[SearchHit]:
        found = self._call(lambda: self.client.search(index=self.index_name, body=body))
        return [hit(raw) for raw in found["hits"]["hits"]]

    def health(self) -> None:
        self._call(lambda: self.client.count(index=self.index_name))

    def close(self) -> None:
        self.client.close()


class OpenSearchSearch(_ElasticSearch):
    @staticmethod
    def build_client(host: str, auth: tuple[str, str] | None, timeout: float) -> Any:
        from opensearchpy import OpenSearch

        return OpenSearch(hosts=[host], http_auth=auth, timeout=timeout, max_retries=1)

    @staticmethod
    def driver_errors():
        from opensearchpy import exceptions as errors

        connection = (errors.ConnectionError, errors.ConnectionTimeout)
        return connection, errors.NotFoundError, errors.RequestError, errors.TransportError


class ElasticsearchSearch(_ElasticSearch):
    @staticmethod
    def build_client(host: str, auth: tuple[str, str] | None, timeout: float) -> Any:
        from elasticsearch import Elasticsearch

        return Elasticsearch(hosts=[host], basic_auth=auth, request_timeout=timeout, max_retries=1)

    @staticmethod
    def driver_errors():
        import elastic_transport
        import elasticsearch

        connection = (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout)
        found, bad = elasticsearch.NotFoundError, elasticsearch.BadRequestError
        return connection, found, bad, elasticsearch.ApiError
