"""Fixtures for the end-to-end suite: the binary, a runner that parses eve.json, and the EVE
schema check that every record of every run must pass.

Run with Debian's interpreter (it has scapy, jsonschema and yaml):
    /usr/bin/python3 -m pytest -q tests/e2e
The binary is $CLEANNET_BIN, or build/cleannet under the repository root.
"""

import copy
import json
import os
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCHEMA_PATH = Path(os.environ.get("CLEANNET_EVE_SCHEMA") or
                   REPO.parent / "shared" / "verify" / "eve-schema.json")
RUN_TIMEOUT = 120
# a sanitizer build (.ci/run's build-asan) reports here; a wanted non-zero exit must not hide it
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "ERROR: UndefinedBehaviorSanitizer")

# cleannet's own top-level objects (DESIGN.md "Output compatibility"); Suricata's schema
# forbids unknown top-level keys, so they are declared here as objects to be checked by shape.
CLEANNET_EXTENSIONS = ("attrib", "policy", "device", "response")


def binary_path():
    return Path(os.environ.get("CLEANNET_BIN") or REPO / "build" / "cleannet").resolve()


def _load_validator():
    if not SCHEMA_PATH.is_file():
        return None
    import jsonschema

    schema = copy.deepcopy(json.loads(SCHEMA_PATH.read_text()))
    for name in CLEANNET_EXTENSIONS:
        schema["properties"].setdefault(name, {"type": "object"})
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


VALIDATOR = _load_validator()


def pytest_report_header(config):
    lines = ["cleannet binary: %s" % binary_path()]
    if VALIDATOR is None:
        lines.append("WARNING: %s is missing: EVE schema checks are SKIPPED" % SCHEMA_PATH)
    else:
        lines.append("eve schema: %s" % SCHEMA_PATH)
    return lines


def validate_records(records, where):
    if VALIDATOR is None:
        warnings.warn("EVE schema %s missing: schema check skipped" % SCHEMA_PATH)
        return
    for n, rec in enumerate(records, 1):
        errors = sorted(VALIDATOR.iter_errors(rec), key=lambda e: list(e.path))
        if errors:
            msgs = "; ".join("%s: %s" % ("/".join(map(str, e.path)) or "<top>", e.message)
                             for e in errors[:5])
            raise AssertionError("%s line %d fails the EVE schema: %s\nrecord: %s" %
                                 (where, n, msgs, json.dumps(rec)[:2000]))


def read_eve(path):
    records = []
    if not path.exists():
        return records
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip(b"\n")
            if not line:
                continue
            try:
                records.append(json.loads(line.decode("utf-8")))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise AssertionError("%s line %d is not one UTF-8 JSON object: %s: %r" %
                                     (path, n, e, line[:300]))
    return records


@dataclass
class Result:
    rc: int
    stdout: str
    stderr: str
    records: list
    logdir: Path
    cmd: list = field(default_factory=list)

    @property
    def output(self):
        return self.stdout + self.stderr

    def of_type(self, event_type):
        return [r for r in self.records if r.get("event_type") == event_type]

    @property
    def flows(self):
        return self.of_type("flow")

    @property
    def anomalies(self):
        return self.of_type("anomaly")

    @property
    def stats(self):
        """The stats object of the last stats record (the final totals)."""
        s = self.of_type("stats")
        assert s, "no stats record in %s" % (self.logdir / "eve.json")
        return s[-1]["stats"]

    def describe(self):
        return "cmd: %s\nrc: %d\nstdout: %s\nstderr: %s" % (
            " ".join(map(str, self.cmd)), self.rc, self.stdout[-3000:], self.stderr[-3000:])


@pytest.fixture(scope="session")
def cleannet_bin():
    b = binary_path()
    if not (b.is_file() and os.access(b, os.X_OK)):
        pytest.fail("cleannet binary %s not found: build it (tools/test does) or set CLEANNET_BIN"
                    % b, pytrace=False)
    return b


@pytest.fixture
def run_cleannet(cleannet_bin, tmp_path):
    """run_cleannet(pcap_or_None, *args, logdir=None, timeout=..., check=None) -> Result.

    Adds `-r PCAP` when pcap is given and `-l LOGDIR` (a fresh folder) unless args has -l.
    Every eve.json record is validated against the EVE schema. check=True asserts exit 0,
    check=False asserts a non-zero exit."""
    counter = [0]

    def run(pcap, *args, logdir=None, timeout=RUN_TIMEOUT, check=None, env=None):
        counter[0] += 1
        args = [str(a) for a in args]
        if logdir is None and "-l" not in args:
            logdir = tmp_path / ("log%d" % counter[0])
            logdir.mkdir()
        cmd = [str(cleannet_bin)]
        if pcap is not None:
            cmd += ["-r", str(pcap)]
        if logdir is not None:
            cmd += ["-l", str(logdir)]
        cmd += args
        e = dict(os.environ, TZ="UTC")
        if env:
            e.update(env)
        try:
            p = subprocess.run(cmd, capture_output=True, timeout=timeout, env=e,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise AssertionError("timed out after %ss: %s" % (timeout, " ".join(cmd)))
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        ld = Path(logdir) if logdir is not None else None
        eve = ld / "eve.json" if ld is not None else None
        records = read_eve(eve) if eve is not None else []
        res = Result(p.returncode, out, err, records, ld, cmd)
        assert p.returncode >= 0 and p.returncode < 128, \
            "cleannet died from a signal or crashed\n" + res.describe()
        for marker in SANITIZER_MARKERS:
            assert marker not in err, "sanitizer report\n" + res.describe()
        validate_records(records, str(eve))
        if check is True:
            assert p.returncode == 0, "expected exit 0\n" + res.describe()
        elif check is False:
            assert p.returncode != 0, "expected a non-zero exit\n" + res.describe()
        return res

    return run


@pytest.fixture
def write_config(tmp_path):
    """write_config(text) -> path of a YAML file holding text (a %YAML 1.1 header is added)."""
    counter = [0]

    def write(text):
        counter[0] += 1
        p = tmp_path / ("cleannet%d.yaml" % counter[0])
        p.write_text("%YAML 1.1\n---\n" + text.lstrip("\n"))
        return p

    return write


# A run in which nothing passed proves nothing: fail it (pytest already fails when it collects
# no test; this also catches a run where every test was skipped or deselected).
_PASSED = [0]


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed:
        _PASSED[0] += 1


def pytest_sessionfinish(session, exitstatus):
    if exitstatus == 0 and _PASSED[0] == 0 and not os.environ.get("CLEANNET_E2E_ALLOW_EMPTY"):
        session.exitstatus = 1
        tr = session.config.pluginmanager.get_plugin("terminalreporter")
        if tr is not None:
            tr.write_line("FAILED: no end-to-end test passed (all skipped or none collected)",
                          red=True)
