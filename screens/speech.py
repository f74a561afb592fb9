"""The kiosk's voice inside the visitor UI: builds the SpeechService (voices/) for an app, with
the prompt cache under $KIOSK_HOME/speech-cache pre-rendered from the UI's own strings, and the
few sentences only speech needs (orientation, roles, the idle invitation) in both languages.

Nothing here touches a widget from another thread: the player thread's "a sentence started"
reaches the caption strip through Clock.schedule_once."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

from kiosk import i18n

log = logging.getLogger("screens.speech")

# Sentences only speech uses. They sit here rather than in the .po catalogues because speech
# is their only reader; both languages are kept side by side so neither can be forgotten.
SPOKEN: dict[str, dict[str, str]] = {
    "how_to_move": {
        "en": "To move, press Up or Down, or slide a finger over the screen. Press Action to "
              "choose, and Help to hear help.",
        "ar": "للتنقل اضغط زر الأعلى أو الأسفل، أو مرّر إصبعك على الشاشة. اضغط زر التنفيذ "
              "للاختيار، وزر المساعدة لسماع المساعدة.",
    },
    "button": {"en": "button", "ar": "زر"},
    "position": {"en": "{n} of {count}", "ar": "{n} من {count}"},
    "focus_summary": {"en": "{count} items.", "ar": "عدد العناصر {count}."},
    "item_help": {"en": "You are on: {item}.", "ar": "أنت الآن على: {item}."},
    "keys_help": {
        "en": "Keys: Up and Down move between items and read them. Action chooses. Help, "
              "pressed again, stops speech. Back returns. Next page shows more. Plus and Minus "
              "change the volume. F4 changes the language. F5 repeats. F3 pauses speech, and "
              "pressed again continues it.",
        "ar": "المفاتيح: الأعلى والأسفل للتنقل بين العناصر وقراءتها. التنفيذ للاختيار. "
              "المساعدة مرة ثانية توقف القراءة. الرجوع يعيدك. الصفحة التالية تعرض المزيد. "
              "زائد وناقص لتغيير مستوى الصوت. F4 لتغيير اللغة. F5 للإعادة. F3 يوقف القراءة "
              "مؤقتًا، وبالضغط عليه مرة أخرى تتابع.",
    },
    # Said in both voices when staff test a kiosk's speech from central (speech_test).
    "speech_test": {
        "en": "This is a speech test from the portal's staff.",
        "ar": "هذا اختبار للصوت من فريق البوابة.",
    },
    "invitation": {
        "en": "Welcome. To hear this kiosk, press any key on the keypad, or touch Speak.",
        "ar": "أهلاً بك. لتسمع هذا الجهاز اضغط أي مفتاح في لوحة المفاتيح، أو المس زر القراءة "
              "الصوتية.",
    },
}


def spoken(key: str, lang: str, **values: Any) -> str:
    text = SPOKEN[key].get(lang) or SPOKEN[key]["en"]
    return text.format(**values) if values else text


def ui_prompts() -> list[tuple[str, str]]:
    """Every UI string in both languages (each catalogue's msgids, the bar's labels among
    them) plus speech's own sentences, as (text, lang). Strings with {placeholders} are
    filled in at run time, so a cached rendering of them would never be asked for."""
    from babel.messages.pofile import read_po

    out: list[tuple[str, str]] = []
    for lang in i18n.LANGS:
        po = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
        try:
            with po.open("rb") as f:
                ids = [m.id for m in read_po(f, locale=lang, domain=i18n.DOMAIN)
                       if m.id and isinstance(m.id, str)]
        except Exception:  # noqa: BLE001 - a catalogue problem is reported by i18n itself
            log.exception("reading %s for the prompt cache failed", po)
            continue
        for msgid in ids:
            text = i18n._(msgid, lang)
            if text.strip() and "{" not in text:
                out.append((text, lang))
        out.extend((t[lang], lang) for t in SPOKEN.values() if "{" not in t[lang])
    return list(dict.fromkeys(out))


def make_speech_service(app: Any) -> Any | None:
    """The kiosk's voice for `app`, or None when this machine can not speak at all (the UI
    still works and shows everything it would have said). A missing voice or audio device
    does not come here as None: the service runs and says so in diagnostics()."""
    from kivy.clock import Clock

    home: Path = app.device.paths.home
    try:
        from voices.service import SpeechService

        def sentence_started(event: Any) -> None:
            text = event.text
            Clock.schedule_once(lambda _dt: app.captions.show(text, sentence=True))

        service = SpeechService(cache_dir=home / "speech-cache",
                                on_sentence=sentence_started,
                                default_rate_step=app.defaults.rate_step,
                                default_volume_step=app.defaults.volume_step)
    except Exception as e:  # noqa: BLE001 - a silent kiosk beats no kiosk
        log.error("Speech is not available (%s); the kiosk shows its text without speaking.",
                  e)
        return None
    service.headset = app.headset  # feedback's contact details are spoken only to a headset
    service.load_prompts(ui_prompts())
    threading.Thread(target=_report, args=(service, home), daemon=True,
                     name="speech-diagnostics").start()
    return service


def _report(service: Any, home: Path) -> None:
    """Log what works and what does not, once the engine has started, and leave it in
    $KIOSK_HOME/speech-status.json for technicians (the running kiosk's own view)."""
    try:
        d = service.diagnostics()
    except Exception:  # noqa: BLE001
        log.exception("speech diagnostics failed")
        return
    if d.get("ok"):
        log.info("speech: %s (output %s)", d.get("message"), d.get("audio", {}).get("output"))
    else:
        log.error("speech: %s The text stays on screen.", d.get("message"))
    try:
        tmp = home / "speech-status.json.tmp"
        tmp.write_text(json.dumps(d, default=str, ensure_ascii=False, indent=1),
                       encoding="utf-8")
        tmp.replace(home / "speech-status.json")
    except OSError as e:
        log.warning("could not write speech-status.json: %s", e)
