"""`validate --link-domains`: answer links outside the office's domains are warnings, never errors."""

from __future__ import annotations

import pytest

from knowledge.checks import in_domains, link_host
from tests.knowledge.conftest import WriteKb
from tests.knowledge.test_cli import run

KB = """\
entries:
  - id: vpn
    question: VPNにつながらない
    answer: |
      手順は https://portal.intra.example.lg.jp/vpn.html を見てください。
      メーカーの説明は [こちら](https://support.vendor.example.com/vpn)。
    links:
      - title: 申請
        url: https://www.city.example.lg.jp/ict/apply
      - title: 共有フォルダ
        url: \\\\fileserver\\ict
"""


def test_links_outside_the_domains_are_warnings_at_their_line(write_kb: WriteKb) -> None:
    root = write_kb({"a.yaml": KB})
    code, out, _ = run("validate", str(root), "--link-domains", "intra.example.lg.jp, city.example.lg.jp")
    assert code == 0  # warnings only
    warnings = [line for line in out.splitlines() if ": warning: " in line]
    assert warnings == [
        f"{root / 'a.yaml'}:6:1: warning: entry vpn links to https://support.vendor.example.com/vpn, "
        "outside the given domains (intra.example.lg.jp, city.example.lg.jp); check that staff terminals "
        "on the office's network can open it.",
        f"{root / 'a.yaml'}:11:1: warning: entry vpn links to \\\\fileserver\\ict, "
        "outside the given domains (intra.example.lg.jp, city.example.lg.jp); check that staff terminals "
        "on the office's network can open it.",
    ]
    assert "valid (1 entry, 2 warnings)" in out


def test_without_the_option_links_are_not_checked_and_a_file_server_can_be_listed(write_kb: WriteKb) -> None:
    root = write_kb({"a.yaml": KB})
    assert "valid (1 entry, 0 warnings)" in run("validate", str(root))[1]
    everything = "example.lg.jp,vendor.example.com,fileserver"
    assert "valid (1 entry, 0 warnings)" in run("validate", str(root), "--link-domains", everything)[1]


def test_the_warning_is_in_japanese_for_a_japanese_locale(write_kb: WriteKb) -> None:
    root = write_kb({"a.yaml": KB})
    _, out, _ = run("validate", str(root), "--link-domains", "example.lg.jp", env_lang="ja_JP.UTF-8")
    assert "警告: エントリ vpn のリンク https://support.vendor.example.com/vpn は、指定したドメイン" in out


@pytest.mark.parametrize(
    "value", ["", "https://intra.example.lg.jp", "intra example", "intra..lg.jp", "bad-.lg.jp"]
)
def test_a_bad_domain_list_exits_2(write_kb: WriteKb, value: str) -> None:
    code, _, err = run("validate", str(write_kb({"a.yaml": KB})), "--link-domains", value)
    assert code == 2
    assert "--link-domains" in err


def test_hosts_and_subdomains() -> None:
    assert link_host("https://WWW.City.example.lg.jp:8443/a") == "www.city.example.lg.jp"
    assert link_host("\\\\NAS01\\share\\x") == "nas01"
    assert link_host("file://nas01/share/x") == "nas01"
    assert in_domains("www.city.example.lg.jp", ["example.lg.jp"])
    assert not in_domains("evilexample.lg.jp", ["example.lg.jp"])
