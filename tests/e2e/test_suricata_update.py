"""suricata-update against cleannet: the version it reads (-V, --build-info), the configuration
dump (--dump-config), the merged rule file and cleannet's -T test step on it; and the rule-load
counts of the stats record (detect.engines), which tools watching a rule update read.

Everything runs offline inside tmp_path: an update.yaml points every suricata-update path
(disable/enable/modify/drop configs, distribution rules) there, --data-dir holds its cache
and -o the merged output. With only --local sources, suricata-update still adds ET Open and,
offline, reads it from its cache: the test seeds that cache under the URL suricata-update
derives from the engine version, so the run only succeeds when cleannet's -V maps to the
Suricata 7.0 rule set."""

import hashlib
import io
import os
import re
import shutil
import subprocess
import tarfile

import pytest

SURICATA_UPDATE = shutil.which("suricata-update")
ETOPEN_70 = "https://rules.emergingthreats.net/open/suricata-7.0.0/emerging.rules.tar.gz"

GOOD_LOCAL = """\
alert tcp any any -> any 80 (msg:"local one"; flow:to_server; content:"GET /evil"; sid:7100001; rev:1;)
alert udp any any -> any 53 (msg:"local two"; content:"|00 01|"; offset:2; depth:2; sid:7100002; rev:1;)
"""
ETOPEN_RULE = ('alert icmp any any -> any any (msg:"cached et open"; itype:8; '
               'sid:7100003; rev:1;)\n')
BROKEN_LOCAL = ('alert tcp any any -> any any (msg:"broken"; content:"x"; '
                'no_such_keyword_here; sid:7100004; rev:1;)\n')

needs_suricata_update = pytest.mark.skipif(SURICATA_UPDATE is None,
                                           reason="suricata-update is not installed")


def seed_etopen_cache(data_dir):
    """Puts a one-rule emerging.rules.tar.gz where suricata-update looks when offline."""
    cache = data_dir / "update" / "cache"
    cache.mkdir(parents=True)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        data = ETOPEN_RULE.encode()
        info = tarfile.TarInfo("rules/emerging-cached.rules")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    name = "%s-emerging.rules.tar.gz" % hashlib.md5(ETOPEN_70.encode()).hexdigest()
    (cache / name).write_bytes(buf.getvalue())


def run_update(binary, tmp_path, local_dir):
    data_dir = tmp_path / "data"
    out_dir = tmp_path / "out"
    empty = tmp_path / "empty"
    for d in (out_dir, empty):
        d.mkdir(exist_ok=True)
    if not data_dir.exists():
        seed_etopen_cache(data_dir)
    update_yaml = tmp_path / "update.yaml"
    update_yaml.write_text(
        "disable-conf: %s/disable.conf\n"
        "enable-conf: %s/enable.conf\n"
        "modify-conf: %s/modify.conf\n"
        "drop-conf: %s/drop.conf\n"
        "dist-rule-directory: %s\n" % (empty, empty, empty, empty, empty))
    # a Suricata-layout configuration (unknown keys only warn); logs go to tmp
    suricata_yaml = tmp_path / "suricata.yaml"
    suricata_yaml.write_text(
        "%%YAML 1.1\n---\n"
        "default-log-dir: %s\n"
        "vars:\n  address-groups:\n    HOME_NET: \"[10.0.0.0/8]\"\n"
        "    EXTERNAL_NET: \"!$HOME_NET\"\n"
        "app-layer:\n  protocols:\n    http:\n      enabled: yes\n"
        "unknown-to-cleannet:\n  some-key: 1\n" % tmp_path)
    env = dict(os.environ)
    env.pop("DATA_DIRECTORY", None)
    env.pop("ETOPEN_URL", None)
    cmd = [SURICATA_UPDATE, "-c", str(update_yaml), "--suricata", str(binary),
           "--suricata-conf", str(suricata_yaml), "--data-dir", str(data_dir),
           "-o", str(out_dir), "--local", str(local_dir), "--offline",
           "--no-check-certificate", "--no-reload", "--no-ignore"]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=300, env=env, cwd=tmp_path)
    return r, out_dir / "suricata.rules"


def test_version_is_read_as_suricata_70(cleannet_bin):
    out = subprocess.run([str(cleannet_bin), "-V"], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("This is Suricata version 7.0")
    assert "cleannet version" in out
    info = subprocess.run([str(cleannet_bin), "--build-info"], capture_output=True, text=True,
                          check=True).stdout
    lines = [line.strip() for line in info.splitlines()]
    assert any(line.startswith("This is Suricata version 7.0") for line in lines)
    for key in ("--prefix", "--sysconfdir", "--localstatedir", "--datarootdir"):
        assert any(line.startswith(key + " ") for line in lines), key
    assert any(line.startswith("Features:") for line in lines)


def test_dump_config(cleannet_bin, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("app-layer:\n  protocols:\n    tls:\n      enabled: no\n"
                   "rule-files:\n  - a.rules\n  - b.rules\n")
    out = subprocess.run([str(cleannet_bin), "-c", str(cfg), "--dump-config"],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert "app-layer.protocols.tls.enabled = no" in out
    assert "rule-files.0 = a.rules" in out and "rule-files.1 = b.rules" in out


@needs_suricata_update
def test_update_merges_and_tests(cleannet_bin, tmp_path):
    local = tmp_path / "local"
    local.mkdir()
    (local / "a.rules").write_text(GOOD_LOCAL)
    r, merged = run_update(cleannet_bin, tmp_path, local)
    assert r.returncode == 0, r.stdout
    assert "Found Suricata version 7.0" in r.stdout
    text = merged.read_text()
    sids = sorted(line.split("sid:")[1].split(";")[0] for line in text.splitlines()
                  if line.startswith("alert"))
    assert sids == ["7100001", "7100002", "7100003"]
    # cleannet's own -T ran on the merged file (its summary line) and passed
    assert "Testing with suricata -T" in r.stdout
    assert "1 rule files processed. 3 rules successfully loaded, 0 rules failed" in r.stdout
    assert "Configuration provided was successfully loaded" in r.stdout


@needs_suricata_update
def test_broken_local_rule_fails_the_test_step(cleannet_bin, tmp_path):
    local = tmp_path / "local"
    local.mkdir()
    (local / "a.rules").write_text(GOOD_LOCAL)
    r, merged = run_update(cleannet_bin, tmp_path, local)
    assert r.returncode == 0, r.stdout
    good = merged.read_text()
    (local / "a.rules").write_text(GOOD_LOCAL + BROKEN_LOCAL)
    r, merged = run_update(cleannet_bin, tmp_path, local)
    assert r.returncode != 0, r.stdout
    # cleannet's -T names the keyword and counts the failure, as Suricata's does
    assert "no_such_keyword_here" in r.stdout
    assert "3 rules successfully loaded, 1 rules failed" in r.stdout
    # the failed test step makes suricata-update put the previous merged file back
    assert merged.read_text() == good
    assert "7100004" not in merged.read_text()


def test_stats_record_carries_rule_load(run_cleannet, tmp_path):
    from helpers import Clock, udp_exchange, write_pcap

    pcap = tmp_path / "u.pcap"
    write_pcap(pcap, udp_exchange("10.9.0.1", "10.9.0.2", 1000, 53, 1, 1, Clock()))
    rules = tmp_path / "r.rules"
    rules.write_text(GOOD_LOCAL + ETOPEN_RULE + BROKEN_LOCAL +
                     "# alert ip any any -> any any (msg:\"off\"; sid:7100009;)\n")
    r = run_cleannet(pcap, "-S", rules, check=True)
    stats = r.of_type("stats")
    assert stats, r.describe()
    engines = stats[-1]["stats"]["detect"]["engines"]
    assert len(engines) == 1
    e = engines[0]
    assert e["id"] == 0
    assert (e["rules_loaded"], e["rules_failed"], e["rules_skipped"]) == (3, 1, 0)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d{4}$", e["last_reload"])
