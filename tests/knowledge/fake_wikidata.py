"""A stand-in for Wikidata built from the hand-made fixtures in fixtures/wikidata/ (each says it is
hand-made in Wikidata's shape). It answers the three requests Factdesk makes the way Wikidata's
services do: SPARQL JSON results (the Query Service), `wbgetentities` and `wbsearchentities`
(the Action API). Tests replay it with `responses` (in process); the browser test and the
benchmark serve it over real HTTP from a local server (`serve`)."""

from __future__ import annotations

import copy
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "wikidata"
API_URL = "https://www.wikidata.org/w/api.php"
SPARQL_URL = "https://query.wikidata.org/sparql"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class FakeWikidata:
    def __init__(self) -> None:
        self.entities: dict[str, dict] = {}
        for name in ("entities_countries.json", "entities_offices.json", "entities_people.json"):
            self.entities.update(load(name)["entities"])
        self.preset_offices = load("sparql_heads_offices.json")
        self.holders = load("sparql_holders.json")
        self.search_index = load("search_index.json")["search"]
        self.requests: list[tuple[str, dict]] = []

    # --- Changing the fake's data ---------------------------------------------------------------

    def entity(self, qid: str) -> dict:
        return self.entities[qid]

    def edit(self, qid: str) -> dict:
        """The entity, with a new revision as Wikidata gives every edit; change it in place."""
        data = self.entities[qid]
        data["lastrevid"] += 1000
        return data

    # --- Answers ----------------------------------------------------------------------------------

    def answer(self, kind: str, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.requests.append((kind, params))
        if kind == "sparql":
            return self._sparql(params.get("query", ""))
        action = params.get("action")
        if action == "wbgetentities":
            return self._get_entities(params)
        if action == "wbsearchentities":
            return self._search(params)
        return _json(400, {"error": {"code": "badvalue", "info": f"Unknown action {action!r}"}})

    def _sparql(self, query: str) -> tuple[int, dict[str, str], bytes]:
        if "P1906" in query or "P1001" in query:  # a preset's list of offices
            return _json(200, self.preset_offices, "application/sparql-results+json")
        values = re.search(r"VALUES \?office \{([^}]*)\}", query)
        wanted = set(re.findall(r"wd:(Q\d+)", values.group(1))) if values else set()
        people = dict.fromkeys(
            row["person"]["value"]
            for row in self.holders["results"]["bindings"]
            if row["office"]["value"].rsplit("/", 1)[-1] in wanted
        )
        rows = [{"person": {"type": "uri", "value": uri}} for uri in people]
        body = {"head": {"vars": ["person"]}, "results": {"bindings": rows}}
        return _json(200, body, "application/sparql-results+json")

    def _get_entities(self, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        ids = [i for i in params.get("ids", "").split("|") if i]
        if len(ids) > 50:
            return _json(200, {"error": {"code": "toomanyvalues", "info": "Too many values"}})
        found = {}
        for qid in ids:
            data = self.entities.get(qid)
            if data is None:
                found[qid] = {"id": qid, "missing": ""}
            elif params.get("props") == "labels":
                found[qid] = {"type": "item", "id": qid, "labels": data["labels"]}
            else:
                found[qid] = copy.deepcopy(data)
        return _json(200, {"entities": found, "success": 1})

    def _search(self, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        text = params.get("search", "").casefold()
        hits = []
        for hit in self.search_index:
            data = self.entities.get(hit["id"], {})
            names = [hit["label"]] + [a["value"] for a in data.get("aliases", {}).get("en", [])]
            if text and any(text in name.casefold() for name in names):
                hits.append(hit)
        limit = int(params.get("limit", "7"))
        body = {"searchinfo": {"search": params.get("search", "")}, "search": hits[:limit]}
        return _json(200, {**body, "success": 1})


def _json(
    status: int, body: dict, content_type: str = "application/json"
) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": content_type}, json.dumps(body).encode()


# --- Replay with `responses` --------------------------------------------------------------------


def install(
    mock,
    fake: FakeWikidata,
    *,
    api_url: str = API_URL,
    sparql_url: str = SPARQL_URL,
    services: tuple[str, ...] = ("api", "sparql"),
):
    """Register the fake on a `responses.RequestsMock`. Answers a test added before are served
    first, once each (`responses` drops a matched answer while others match too)."""

    def api(request):
        params = {k: v[-1] for k, v in parse_qs(urlsplit(request.url).query).items()}
        return fake.answer("api", params)

    def sparql(request):
        body = request.body or ""
        if isinstance(body, bytes):
            body = body.decode()
        params = {k: v[-1] for k, v in parse_qs(body).items()}
        return fake.answer("sparql", params)

    if "api" in services:
        mock.add_callback("GET", api_url, callback=api)
    if "sparql" in services:
        mock.add_callback("POST", sparql_url, callback=sparql)


# --- Serve over HTTP --------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    fake: FakeWikidata

    def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - BaseHTTPRequestHandler's name
        params = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
        self._reply(*self.server.fake.answer("api", params))  # type: ignore[attr-defined]

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        params = {k: v[-1] for k, v in parse_qs(body).items()}
        self._reply(*self.server.fake.answer("sparql", params))  # type: ignore[attr-defined]

    def log_message(self, format, *args) -> None:  # quiet
        pass


class FakeWikidataServer:
    """The fake on a local port: `api_url` and `sparql_url` to point the settings at."""

    def __init__(self, fake: FakeWikidata) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.fake = fake  # type: ignore[attr-defined]
        self.httpd.daemon_threads = True
        host, port = self.httpd.server_address[:2]
        self.api_url = f"http://{host}:{port}/w/api.php"
        self.sparql_url = f"http://{host}:{port}/sparql"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeWikidataServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
