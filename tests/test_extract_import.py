"""``newsreader import page.html``: a saved web page becomes one article."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import run_cli

PAGES = Path(__file__).parent / "fixtures" / "pages"


def test_import_a_saved_page_makes_one_article(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    done = run_cli("import", str(PAGES / "article.html"), library=lib)
    assert done.returncode == 0, done.stderr
    assert "1 new" in done.stdout
    listed = json.loads(run_cli("list", "--json", library=lib).stdout)
    assert [a["title"] for a in listed] == ["Harbour town votes to keep its night ferry"]
    shown = json.loads(run_cli("show", listed[0]["id"], "--json", library=lib).stdout)
    assert shown["author"] == "Maren Holt"
    assert shown["published"] == "2026-11-18T06:30:00+00:00"
    assert shown["url"] == "https://courier.example/news/2026/11/night-ferry"
    assert shown["credits"] == ["The Coastal Courier"]
    assert shown["excerpt"].startswith("The town council of Lindholm voted late on Tuesday")
    assert "## A close vote" in shown["body"] and "regional transport report [1]" in shown["body"]
    assert shown["links"][0] == "https://transport.example/report-2026.pdf"
    assert "seagull77" not in shown["body"] and "cookies" not in shown["body"]
    again = run_cli("import", str(PAGES / "article.html"), library=lib)
    assert "0 new, 1 already present" in again.stdout


def test_pages_inside_an_imported_folder(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(PAGES / "german.html", folder / "sub" / "bibliothek.htm")
    shutil.copy(PAGES / "paywall.html", folder / "seabed.HTML")
    done = run_cli("import", str(folder), library=tmp_path / "lib")
    assert done.returncode == 0, done.stderr
    titles = {a["title"] for a in json.loads(run_cli("list", "--json", library=tmp_path / "lib").stdout)}
    assert titles == {
        "Stadtbibliothek verlängert ihre Öffnungszeiten",
        "Inside the quiet race to map the seabed",
    }


def test_a_page_without_an_article_is_a_one_line_error(tmp_path: Path) -> None:
    empty = tmp_path / "menu.html"
    empty.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    done = run_cli("import", str(empty), library=tmp_path / "lib")
    assert done.returncode == 1
    assert "menu.html: no article text found in this page" in done.stderr
    assert "Traceback" not in done.stderr
