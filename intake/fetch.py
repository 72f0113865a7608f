"""Fetch a web page safely for import.

Only http and https; connect and read timeouts and an overall deadline; at most
`MAX_BYTES` per page; at most `MAX_REDIRECTS` redirects, each target checked again;
the address a request connects to must be public (no private, loopback, link-local,
multicast or reserved address: server-side request forgery) unless
`GLOSS_FETCH_ALLOW_PRIVATE` is on; robots.txt is honoured; an honest User-Agent; and
at most one request per `GLOSS_FETCH_HOST_INTERVAL` seconds to one host.

The connection goes to the very address that was checked (the host name is resolved
once, here), so a DNS answer that changes between the check and the connect
(DNS rebinding) cannot slip a private address past it.
"""

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from django.conf import settings

MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
USER_AGENT = "Gloss/1.0 (editorial research CMS; imports articles named by its editors)"
HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(Exception):
    """A page that cannot be fetched; `code` is stable (tests, the UI), `reason` is for people."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass(frozen=True)
class Fetched:
    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    content_type: str
    charset: str
    body: bytes
    fetched_at: datetime


def address_allowed(address: str) -> bool:
    """Whether a request may connect to `address` (an IPv4 or IPv6 literal)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def resolve(host: str, port: int) -> str:
    """The address to connect to for `host`, refused when any answer is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError("dns", f"cannot resolve {host}") from None
    addresses = [info[4][0] for info in infos]
    if not settings.GLOSS_FETCH_ALLOW_PRIVATE and not all(map(address_allowed, addresses)):
        raise FetchError("private_address", f"{host} resolves to a private address: refused")
    return addresses[0]


class _HostPacer:
    """At most one request per interval to each host, across the threads of a process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def wait(self, host: str) -> None:
        interval = settings.GLOSS_FETCH_HOST_INTERVAL
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, 0.0))
            self._next[host] = start + interval
        if start > now:
            time.sleep(start - now)


PACER = _HostPacer()


def _parse_content_type(value: str) -> tuple[str, str]:
    kind, _, params = value.partition(";")
    charset = ""
    for param in params.split(";"):
        name, _, val = param.strip().partition("=")
        if name.lower() == "charset":
            charset = val.strip().strip("\"'")
    return kind.strip().lower(), charset


def _request(url: str, *, deadline: float) -> tuple[int, dict[str, str], bytes]:
    """One GET of `url` (no redirects followed); the body is read up to MAX_BYTES + 1."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise FetchError("scheme", f"only http and https URLs can be imported, not {url!r}")
    if not parts.hostname:
        raise FetchError("bad_url", f"{url!r} names no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError("bad_url", f"{url!r} has a bad port") from None
    address = resolve(parts.hostname, port)
    PACER.wait(parts.hostname.lower())
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, port, timeout=CONNECT_TIMEOUT, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=CONNECT_TIMEOUT)
    # Connect to the address checked above, not to a second DNS answer.
    connection._create_connection = lambda addr, timeout, source: socket.create_connection(
        (address, addr[1]), timeout, source
    )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "GET",
            target,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
                "Accept-Encoding": "identity",
            },
        )
        connection.sock.settimeout(READ_TIMEOUT)
        response = connection.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_BYTES and response.status < 300:
            raise FetchError("too_large", f"the page is larger than {MAX_BYTES // 2**20} MB")
        chunks, size = [], 0
        while size <= MAX_BYTES:
            if time.monotonic() > deadline:
                raise FetchError("timeout", "timed out reading the page")
            chunk = response.read(65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return response.status, headers, b"".join(chunks)
    except TimeoutError:
        raise FetchError("timeout", "timed out") from None
    except ssl.SSLError as error:
        raise FetchError("tls", f"TLS error: {error.reason or error}") from None
    except (OSError, http.client.HTTPException) as error:
        raise FetchError("connection", f"connection failed: {error}") from None
    finally:
        connection.close()


class Fetcher:
    """Fetches pages, keeping each host's robots.txt for `ROBOTS_SECONDS` (a worker lives
    for days; a batch reads each host's rules once)."""

    ROBOTS_SECONDS = 3600

    def __init__(self):
        self._robots: dict[str, tuple[float, RobotFileParser | None]] = {}

    def allowed_by_robots(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        read_at, robots = self._robots.get(origin, (None, None))
        if read_at is None or time.monotonic() - read_at > self.ROBOTS_SECONDS:
            robots = self._read_robots(origin)
            self._robots[origin] = (time.monotonic(), robots)
        return robots is None or robots.can_fetch(USER_AGENT, url)

    def _read_robots(self, origin: str) -> RobotFileParser | None:
        """None means "no rules": robots.txt missing (4xx) or unreadable as text."""
        try:
            status, _, body, _ = self._follow(
                f"{origin}/robots.txt", deadline=time.monotonic() + READ_TIMEOUT
            )
        except FetchError as error:
            if error.code in {"private_address", "scheme"}:
                raise
            return None
        parser = RobotFileParser()
        if status >= 500:
            parser.disallow_all = True  # "unreachable": RFC 9309 says assume disallowed
            return parser
        if status >= 400:
            return None
        parser.parse(body[:500_000].decode("utf-8", "replace").splitlines())
        return parser

    def _follow(self, url: str, *, deadline: float) -> tuple[int, dict, bytes, str]:
        for _ in range(MAX_REDIRECTS + 1):
            status, headers, body = _request(url, deadline=deadline)
            if status in {301, 302, 303, 307, 308} and headers.get("location"):
                url = urljoin(url, headers["location"])
                continue
            return status, headers, body, url
        raise FetchError("redirects", f"more than {MAX_REDIRECTS} redirects")

    def fetch(self, url: str) -> Fetched:
        """The page at `url`, or a FetchError saying why not."""
        if urlsplit(url).scheme not in {"http", "https"}:
            raise FetchError("scheme", "only http and https URLs can be imported")
        if not self.allowed_by_robots(url):
            raise FetchError("robots", "robots.txt does not allow fetching this page")
        fetched_at = datetime.now(UTC)
        deadline = time.monotonic() + READ_TIMEOUT * 2
        status, headers, body, final_url = self._follow(url, deadline=deadline)
        if final_url != url and not self.allowed_by_robots(final_url):
            raise FetchError("robots", "robots.txt does not allow fetching this page")
        if status >= 400:
            raise FetchError(f"http_{status}", f"HTTP {status}")
        if len(body) > MAX_BYTES:
            raise FetchError("too_large", f"the page is larger than {MAX_BYTES // 2**20} MB")
        content_type, charset = _parse_content_type(headers.get("content-type", ""))
        if content_type and content_type not in HTML_TYPES:
            raise FetchError("not_html", f"not an HTML page ({content_type})")
        return Fetched(
            url=url,
            final_url=final_url,
            status=status,
            content_type=content_type or "text/html",
            charset=charset,
            body=body,
            fetched_at=fetched_at,
        )
