"""What the filter reads in a comment: normalised text, tokens (words, bigrams, link domains) and
64-bit fingerprints (the whole text, MinHash bands of its word shingles)."""

from __future__ import annotations

import hashlib
import re
import struct
from urllib.parse import urlsplit

from community.services import DomainError
from community.services.matching import comparable

WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"']+", re.IGNORECASE)
NON_WORD = re.compile(r"[\W_]+")
TOKEN_MAX = 80
WORD_MAX = 24
SHINGLE_WORDS = 3
BANDS, ROWS = 8, 4  # 32 MinHash values; texts sharing about 60 % of their shingles meet in a band
NEAR_DUPLICATE_MIN_WORDS = 8
# One 64-byte BLAKE2b digest of a shingle read as 32 16-bit values stands for 32 independent hash
# functions: the minimum of each over the shingles is the signature (all in C: digest, unpack, zip, min).
_SIXTEEN_BIT_VALUES = struct.Struct(f"<{BANDS * ROWS}H")


def normalise(text: str) -> str:
    """What "the same text" means: compared as a reader sees it (services.matching: NFKC, invisible
    characters and combining marks dropped, lookalike letters folded, case folded), without
    punctuation, spacing as single spaces."""
    return " ".join(NON_WORD.sub(" ", comparable(text)).split())


def hash64(text: str) -> int:
    """A stable signed 64-bit hash (fits a BIGINT column)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


def link_domains(text: str, website: str | None = None) -> list[str]:
    """The host names a comment links to, lower-case without "www.", the website field's first."""
    found = []
    for url in ([website] if website else []) + URL.findall(text):
        if not url.lower().startswith("http"):
            url = "http://" + url
        try:
            host = (urlsplit(url).hostname or "").rstrip(".")
        except ValueError:
            continue
        host = host.removeprefix("www.")
        if host and host not in found:
            found.append(host)
    return found


_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}")


def check_domain_list(entries: str | None) -> str:
    """Blocked link domains: one host name a line (example.com, or a shortener's)."""
    entries = entries or ""
    for line in entries.splitlines():
        entry = line.strip().lower().removeprefix("www.")
        if not entry:
            continue
        try:
            ascii_entry = entry.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_entry = ""
        if not _DOMAIN.fullmatch(ascii_entry):
            raise DomainError(f"“{line.strip()}” is not a domain like example.com.", field="blocked_domains")
    return entries


def domain_matches(host: str, entries: list[str]) -> str | None:
    """The entry that names this host or a domain above it (example.com blocks a.example.com)."""
    for entry in entries:
        entry = entry.lower().removeprefix("www.").strip(".")
        if entry and (host == entry or host.endswith("." + entry)):
            return entry
    return None


def tokens(text: str, website: str | None = None) -> set[str]:
    """The distinct features the classifier counts: words, neighbouring pairs, link domains and a
    few marks of shape (a link count, shouting, money signs)."""
    folded = comparable(text)  # "cаsino" with a Cyrillic "а" is the word casino
    domains = link_domains(folded, website)
    words = WORD.findall(URL.sub(" ", folded))
    found: set[str] = set()
    previous = None
    for word in words:
        if len(word) > WORD_MAX:
            word = f"long:{word[:2]}{len(word) // 10}"
        found.add(word)
        if previous is not None:
            found.add(f"{previous} {word}")
        previous = word
    for host in domains:
        found.add(f"url:{host}"[:TOKEN_MAX])
        found.add(f"tld:{host.rsplit('.', 1)[-1]}"[:TOKEN_MAX])
    if website:
        found.add("has:website")
    found.add(f"links:{min(len(domains), 3)}")
    found.add(f"words:{min(len(words).bit_length(), 9)}")
    if "!!" in text:
        found.add("mark:!!")
    if "$" in text or "€" in text or "£" in text:
        found.add("mark:money")
    if re.search(r"\b[A-Z]{4,}\b", text):
        found.add("mark:caps")
    return found


def exact_fingerprint(normalised: str) -> int:
    return hash64("text:" + normalised)


def near_fingerprints(normalised: str) -> list[int]:
    """One hash per MinHash band of the text's word 3-shingles; two texts sharing any band are
    probably near-duplicates. Empty for texts too short to tell."""
    words = normalised.split()
    if len(words) < NEAR_DUPLICATE_MIN_WORDS:
        return []
    shingles = {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}
    hashed = [_SIXTEEN_BIT_VALUES.unpack(hashlib.blake2b(shingle.encode(), digest_size=64).digest()) for shingle in shingles]
    signature = [min(column) for column in zip(*hashed)]
    return [hash64(f"band{band}:" + ",".join(map(str, signature[band * ROWS:(band + 1) * ROWS])))
            for band in range(BANDS)]


def nonce_fingerprint(nonce: str) -> int:
    return hash64("nonce:" + nonce)
