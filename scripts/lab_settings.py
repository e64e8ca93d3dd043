"""Writes the JupyterLab settings the lesson's servers start with (JupyterLab's overrides.json,
the defaults a user's own settings still override), one folder per language of the interface:

    lab_settings.py SETTINGS_ROOT    # SETTINGS_ROOT/settings (English), SETTINGS_ROOT/settings-ko (Korean)

Both hold scripts/lab-settings/overrides.json (no news, no update checks: a classroom's server
reaches no internet); the Korean one sets JupyterLab's language to Korean
(jupyterlab-language-pack-ko-kr, in the lock). A server started with
--LabApp.app_settings_dir=SETTINGS_ROOT/settings-ko shows its menus in Korean; a student can
still switch under Settings → Language. A file that is already right is not written again, so a
read-only install (the class hub's, an image's) needs no write access."""
import argparse
import json
from pathlib import Path

BASE = Path(__file__).resolve().parent / "lab-settings" / "overrides.json"
LOCALES = {"settings": None, "settings-ko": "ko_KR"}
TRANSLATION = "@jupyterlab/translation-extension:plugin"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("settings_root", type=Path, help="JupyterLab's share/jupyter/lab folder")
    args = parser.parse_args()
    base = json.loads(BASE.read_text())
    for folder, locale in LOCALES.items():
        overrides = dict(base, **({TRANSLATION: {"locale": locale}} if locale else {}))
        text = json.dumps(overrides, indent=2, ensure_ascii=False) + "\n"
        path = args.settings_root / folder / "overrides.json"
        if path.exists() and path.read_text() == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(path)


if __name__ == "__main__":
    main()
