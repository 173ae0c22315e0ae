"""Policy as configuration: ``[tool.modeldeps]`` in pyproject.toml or a ``.modeldeps.toml``."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from modeldeps.errors import ConfigError
from modeldeps.globs import gitignore_problem, glob_problem
from modeldeps.model import Severity

__all__ = [
    "DEFAULT_WATCH",
    "JURISDICTIONS",
    "ConcentrationPolicy",
    "Ignore",
    "Lists",
    "Policy",
    "load_policy",
    "parse_policy",
    "policy_candidates",
    "policy_file",
    "policy_key",
]

#: Named jurisdictions a policy may list under ``jurisdictions``; each is a set of ISO codes.
#: ``prc``: the People's Republic of China with its special administrative regions, whose
#: operators the knowledge base also tags with the ``prc`` flag.
JURISDICTIONS: Mapping[str, frozenset[str]] = {
    "prc": frozenset({"CN", "HK", "MO"}),
    "eu": frozenset(
        {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"}
        | {"IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}
    ),
    "five-eyes": frozenset({"US", "GB", "CA", "AU", "NZ"}),
}

CONFIG_FILE = ".modeldeps.toml"
MAX_CONFIG_BYTES = 1024 * 1024
_LIST_KEYS = ("countries", "jurisdictions", "publishers", "licenses", "families", "models")
_TOP_KEYS = (
    "fail-on",
    "allow",
    "deny",
    "watch",
    "include-lineage",
    "severity",
    "ignore",
    "concentration",
    "baseline",
)
_GLOB_KEYS = frozenset({"families", "models"})
_IGNORE_KEYS = ("rule", "path", "model", "reason", "expires")
_CONC_KEYS = ("weight", "min-models", "max-country-share", "max-publisher-share", "max-hhi")


@dataclass(frozen=True, slots=True)
class Lists:
    """One of allow / deny / watch: what it names, by each key. Strings are lower-cased."""

    countries: frozenset[str] = frozenset()  # ISO alpha-2, upper-case; "*" means any known one
    jurisdictions: frozenset[str] = frozenset()  # names from JURISDICTIONS or KB flags
    publishers: frozenset[str] = frozenset()  # publisher ids or names
    licenses: frozenset[str] = frozenset()
    families: tuple[str, ...] = ()  # globs
    models: tuple[str, ...] = ()  # globs over the reference value and the canonical id

    @property
    def empty(self) -> bool:
        return not (
            self.countries
            or self.jurisdictions
            or self.publishers
            or self.licenses
            or self.families
            or self.models
        )

    def all_countries(self) -> frozenset[str]:
        """Countries named directly or through a jurisdiction."""
        out = set(self.countries)
        for name in self.jurisdictions:
            out |= JURISDICTIONS.get(name, frozenset())
        return frozenset(out)


#: Watched by default: operators and publishers under PRC jurisdiction (see docs/policy.md).
DEFAULT_WATCH = Lists(jurisdictions=frozenset({"prc"}))


@dataclass(frozen=True, slots=True)
class Ignore:
    """An ignore entry: a rule, narrowed by path and/or model glob, with a reason and expiry."""

    rule: str  # a rule id, or "*" for every rule
    reason: str
    path: str | None = None  # gitignore-style glob over the finding's path
    model: str | None = None  # glob over the finding's subject (model id)
    expires: date | None = None
    index: int = 0  # position in the ignore list, to name it in messages

    def describe(self) -> str:
        what = [self.rule]
        if self.path:
            what.append(f"path={self.path}")
        if self.model:
            what.append(f"model={self.model}")
        return " ".join(what)


@dataclass(frozen=True, slots=True)
class ConcentrationPolicy:
    """Thresholds for MD104 (country share) and MD105 (publisher share and HHI)."""

    weight: str = "references"  # references | models | usage
    min_models: int = 3  # fewer distinct models than this: concentration is not judged
    max_country_share: float = 0.8
    max_publisher_share: float = 0.8
    max_hhi: float = 5000.0  # Herfindahl–Hirschman index over publishers, 0..10000


@dataclass(frozen=True, slots=True)
class Policy:
    """Everything the assess stage is told by configuration."""

    fail_on: Severity | None = Severity.HIGH
    allow: Lists = Lists()
    deny: Lists = Lists()
    watch: Lists = DEFAULT_WATCH
    include_lineage: bool = True  # a base model's country counts as the model's own
    severity: Mapping[str, Severity | None] = field(default_factory=dict)  # None: rule off
    ignores: tuple[Ignore, ...] = ()
    concentration: ConcentrationPolicy = ConcentrationPolicy()
    baseline: Path | None = None
    source: str | None = None  # the file the policy came from, for messages

    def enabled(self, rule_id: str) -> bool:
        return not (rule_id in self.severity and self.severity[rule_id] is None)


def policy_file(policy: Policy) -> str:
    """The name of the file the policy came from (``.modeldeps.toml`` when there is none)."""
    return Path(policy.source).name if policy.source else CONFIG_FILE


def policy_key(policy: Policy, table: str, key: str | None = None) -> str:
    """How a user writes ``table`` (and ``key`` in it) in the policy's own file, for messages:
    ``[allow] publishers`` in ``.modeldeps.toml``, ``[tool.modeldeps.allow] publishers`` in
    ``pyproject.toml``."""
    head = f"tool.modeldeps.{table}" if policy_file(policy) == "pyproject.toml" else table
    return f"[{head}]" + (f" {key}" if key else "")


def _find_config(root: Path) -> tuple[Path, str | None] | None:
    """The config file for ``root`` and the table holding the policy (None: top level)."""
    own = root / CONFIG_FILE
    if own.is_file():
        return own, None
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        return pyproject, "tool.modeldeps"
    return None


def policy_candidates(root: Path, config_file: Path | None) -> tuple[Path, ...]:
    """Every file whose content decides the policy of a scan of ``root`` (present or not)."""
    if config_file is not None:
        return (config_file,)
    base = root if root.is_dir() else root.parent
    return (base / CONFIG_FILE, base / "pyproject.toml")


def load_policy(root: Path, config_file: Path | None) -> Policy:
    """The policy for a scan of ``root``: from ``config_file``, else ``root``'s own config."""
    base = root if root.is_dir() else root.parent
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError("no such configuration file", file=str(config_file))
        table = "tool.modeldeps" if config_file.name == "pyproject.toml" else None
        found: tuple[Path, str | None] | None = (config_file, table)
    else:
        found = _find_config(base)
    if found is None:
        return Policy()
    path, table = found
    doc = _read_toml(path)
    section: Any = doc
    if table is not None:
        walked: list[str] = []
        for part in table.split("."):
            walked.append(part)
            section = section.get(part, {})
            if not isinstance(section, dict):
                raise ConfigError("expected a table", file=str(path), key=".".join(walked))
        if not section:
            return Policy(source=str(path))
    return parse_policy(section, source=str(path), prefix=table, base=path.parent)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"larger than {MAX_CONFIG_BYTES} bytes", file=str(path))
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=str(path)) from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise ConfigError("nested too deeply to read", file=str(path)) from None


class _Reader:
    """Validates values and names the offending key and file in every error."""

    def __init__(self, source: str | None, prefix: str | None) -> None:
        self.source = source
        self.prefix = prefix

    def key(self, *parts: str | int) -> str:
        names = [self.prefix] if self.prefix else []
        for p in parts:
            if isinstance(p, int):
                names[-1] = f"{names[-1]}[{p}]"
            else:
                names.append(p)
        return ".".join(names)

    def fail(self, message: str, *parts: str | int) -> ConfigError:
        return ConfigError(message, file=self.source, key=self.key(*parts))

    def table(self, value: Any, *parts: str | int, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail("expected a table", *parts)
        for k in value:
            if k not in allowed:
                raise self.fail(f"unknown key (expected one of: {', '.join(allowed)})", *parts, k)
        return value

    def globs(self, value: Any, *parts: str | int) -> tuple[str, ...]:
        patterns = self.strings(value, *parts)
        for pattern in patterns:
            problem = glob_problem(pattern)
            if problem is not None:
                raise self.fail(problem, *parts)
        return patterns

    def strings(self, value: Any, *parts: str | int) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail("expected a list of non-empty strings", *parts)
        return tuple(value)

    def string(self, value: Any, *parts: str | int) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail("expected a non-empty string", *parts)
        return value.strip()

    def severity(self, value: Any, *parts: str | int, allow_off: bool) -> Severity | None:
        if not isinstance(value, str):
            raise self.fail("expected a severity name", *parts)
        if value.strip().lower() in {"none", "never", "off"} and allow_off:
            return None
        try:
            return Severity.parse(value)
        except ValueError as exc:
            raise self.fail(str(exc), *parts) from None

    def number(self, value: Any, *parts: str | int, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail("expected a number", *parts)
        if not low <= value <= high:
            raise self.fail(f"expected a number from {low:g} to {high:g}", *parts)
        return float(value)


def _lists(r: _Reader, value: Any, name: str) -> Lists:
    t = r.table(value, name, allowed=_LIST_KEYS)
    get = {k: (r.globs if k in _GLOB_KEYS else r.strings)(t[k], name, k) for k in t}
    countries = frozenset(c.upper() for c in get.get("countries", ()))
    for c in countries:
        if c != "*" and not (len(c) == 2 and c.isalpha()) and c not in {"INTL", "UNKNOWN"}:
            raise r.fail(f"{c!r} is not an ISO 3166 alpha-2 country code", name, "countries")
    return Lists(
        countries=countries,
        jurisdictions=frozenset(j.lower() for j in get.get("jurisdictions", ())),
        publishers=frozenset(p.lower() for p in get.get("publishers", ())),
        licenses=frozenset(lic.lower() for lic in get.get("licenses", ())),
        families=tuple(f.lower() for f in get.get("families", ())),
        models=tuple(get.get("models", ())),
    )


def _expiry(r: _Reader, value: Any, i: int) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise r.fail("expected a date such as 2026-06-30", "ignore", i, "expires")


def _ignores(r: _Reader, value: Any, known_rules: frozenset[str]) -> tuple[Ignore, ...]:
    if not isinstance(value, list):
        raise r.fail("expected a list of tables ([[...ignore]])", "ignore")
    out: list[Ignore] = []
    for i, item in enumerate(value):
        t = r.table(item, "ignore", i, allowed=_IGNORE_KEYS)
        if "rule" not in t:
            raise r.fail("an ignore needs a rule", "ignore", i, "rule")
        rule = r.string(t["rule"], "ignore", i, "rule").upper()
        if rule != "*" and known_rules and rule not in known_rules:
            raise r.fail(f"unknown rule {rule!r}", "ignore", i, "rule")
        if "reason" not in t:
            raise r.fail("an ignore needs a reason", "ignore", i, "reason")
        out.append(
            Ignore(
                rule=rule,
                reason=r.string(t["reason"], "ignore", i, "reason"),
                path=_pattern(r, t, i, "path", gitignore_problem),
                model=_pattern(r, t, i, "model", glob_problem),
                expires=_expiry(r, t["expires"], i) if "expires" in t else None,
                index=i,
            )
        )
    return tuple(out)


def _pattern(
    r: _Reader, t: dict[str, Any], i: int, key: str, check: Callable[[str], str | None]
) -> str | None:
    """An ignore's ``path`` or ``model`` pattern, checked now: a broken one would hide nothing."""
    if key not in t:
        return None
    pattern = r.string(t[key], "ignore", i, key)
    problem = check(pattern)
    if problem is not None:
        raise r.fail(problem, "ignore", i, key)
    return pattern


def _concentration(r: _Reader, value: Any) -> ConcentrationPolicy:
    t = r.table(value, "concentration", allowed=_CONC_KEYS)
    d = ConcentrationPolicy()
    weight = d.weight
    if "weight" in t:
        weight = r.string(t["weight"], "concentration", "weight")
        if weight not in {"references", "models", "usage"}:
            raise r.fail("expected references, models or usage", "concentration", "weight")
    min_models = d.min_models
    if "min-models" in t:
        v = t["min-models"]
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise r.fail("expected a whole number of at least 1", "concentration", "min-models")
        min_models = v
    share = {"low": 0.0, "high": 1.0}
    return ConcentrationPolicy(
        weight=weight,
        min_models=min_models,
        max_country_share=r.number(
            t["max-country-share"], "concentration", "max-country-share", **share
        )
        if "max-country-share" in t
        else d.max_country_share,
        max_publisher_share=r.number(
            t["max-publisher-share"], "concentration", "max-publisher-share", **share
        )
        if "max-publisher-share" in t
        else d.max_publisher_share,
        max_hhi=r.number(t["max-hhi"], "concentration", "max-hhi", low=0.0, high=10000.0)
        if "max-hhi" in t
        else d.max_hhi,
    )


def parse_policy(
    doc: Mapping[str, Any],
    *,
    source: str | None = None,
    prefix: str | None = None,
    base: Path | None = None,
    known_rules: frozenset[str] | None = None,
) -> Policy:
    """Validate a configuration table into a ``Policy``; errors name the key and the file."""
    if known_rules is None:
        from modeldeps.assess.rules import rule_ids

        known_rules = frozenset(rule_ids())
    r = _Reader(source, prefix)
    t = r.table(dict(doc), allowed=_TOP_KEYS)
    fail_on: Severity | None = Severity.HIGH
    if "fail-on" in t:
        fail_on = r.severity(t["fail-on"], "fail-on", allow_off=True)
    include_lineage = True
    if "include-lineage" in t:
        if not isinstance(t["include-lineage"], bool):
            raise r.fail("expected true or false", "include-lineage")
        include_lineage = t["include-lineage"]
    severity: dict[str, Severity | None] = {}
    if "severity" in t:
        sev = t["severity"]
        if not isinstance(sev, dict):
            raise r.fail("expected a table of RULE = severity", "severity")
        for rule, level in sev.items():
            if rule.upper() not in known_rules:
                raise r.fail(f"unknown rule {rule!r}", "severity", rule)
            severity[rule.upper()] = r.severity(level, "severity", rule, allow_off=True)
    baseline = None
    if "baseline" in t:
        baseline = Path(r.string(t["baseline"], "baseline"))
        if base is not None and not baseline.is_absolute():
            baseline = base / baseline
    return Policy(
        fail_on=fail_on,
        allow=_lists(r, t["allow"], "allow") if "allow" in t else Lists(),
        deny=_lists(r, t["deny"], "deny") if "deny" in t else Lists(),
        watch=_lists(r, t["watch"], "watch") if "watch" in t else DEFAULT_WATCH,
        include_lineage=include_lineage,
        severity=severity,
        ignores=_ignores(r, t["ignore"], known_rules) if "ignore" in t else (),
        concentration=_concentration(r, t["concentration"])
        if "concentration" in t
        else ConcentrationPolicy(),
        baseline=baseline,
        source=source,
    )
