"""The one list of screens. A screen is registered here, once, by name and import path; the app
shows its screens from this list and the home screen shows a tile for every registered
screen named in HOME_TILES. No Kivy is imported until a screen class is asked for."""

from __future__ import annotations

from importlib import import_module
from typing import Any

# name -> "module:Class". Only finished screens belong here.
SCREENS: dict[str, str] = {
    "attract": "screens.attract:AttractScreen",
    "home": "screens.home:HomeScreen",
    "settings": "screens.settings:SettingsScreen",
    "contact": "screens.contact:ContactScreen",
    "thanks": "screens.thanks:ThanksScreen",
    "categories": "screens.categories:CategoriesScreen",
    "governorates": "screens.governorates:GovernoratesScreen",
    "manufacturers": "screens.manufacturers:ManufacturersScreen",
    "products": "screens.products:ProductsScreen",
    "product": "screens.product:ProductScreen",
    "search": "screens.search:SearchScreen",
    "feedback": "screens.feedback:FeedbackScreen",
    "follow_up": "screens.follow_up:FollowUpScreen",
    "survey": "screens.survey:SurveyScreen",
    "poll": "screens.poll:PollScreen",
    "poll_results": "screens.poll_results:PollResultsScreen",
    "news": "screens.news:NewsScreen",
    "faq": "screens.faq:FaqScreen",
    "guide": "screens.guide:GuideScreen",
    "policies": "screens.policies:PoliciesScreen",
    "setup": "screens.setup:SetupScreen",
    # The technician mode (screens/technician.py): no home tile, opened only by its way in.
    "technician_pin": "screens.technician_pin:TechnicianPinScreen",
    "admin": "screens.admin:AdminScreen",
}

# Each screen's title (the English msgid; assets/locale has it in both languages). Kept here,
# not only on the screen classes that use it, so the home screen labels its tiles without
# importing every screen's module on the way to the first frame.
TITLES = {
    "attract": "Welcome to Made in Oman",
    "home": "What would you like to do?",
    "settings": "Settings",
    "contact": "Contact us",
    "thanks": "Thank you",
    "categories": "Products by category",
    "governorates": "Products by governorate",
    "manufacturers": "Products by manufacturer",
    "products": "All products",
    "product": "Product",
    "search": "Search",
    "feedback": "Send us a message",
    "follow_up": "Follow up a message",
    "survey": "Survey",
    "poll": "Poll",
    "poll_results": "Poll results",
    "news": "News",
    "faq": "Questions and answers",
    "guide": "Service guide",
    "policies": "Our policies",
    "setup": "Setup",
    "technician_pin": "Technician PIN",
    "admin": "Technician panel",
}

# Screens the audit opens once per page (page name -> the parameters it is opened with), not
# only with their sample parameters: the setup wizard's steps, each also in the state a
# technician leaves it in (a test's results, the keypad test asking and a key that sent
# something else, the sound answers, a network check that failed, the code typed with the first
# sync done; screens/setup.py, SAMPLE_STATES, set in memory only); the PIN pad with its
# keys (as on a kiosk with a PIN) and as this kiosk has it (the audit's own kiosk may have no
# PIN set); the technician panel and its log view. `kiosk audit` names a page "screen:page",
# and `kiosk screenshot` and `kiosk walk --screen` open one by that name.
AUDIT_PAGES: dict[str, dict[str, dict[str, Any]]] = {
    "setup": {
        "screen": {"step": "screen"},
        "touch": {"step": "touch"},
        "touch-done": {"step": "touch", "state": "done"},
        "keypad": {"step": "keypad"},
        "keypad-listening": {"step": "keypad", "state": "listening"},
        "keypad-mismatch": {"step": "keypad", "state": "mismatch"},
        "keypad-done": {"step": "keypad", "state": "done"},
        "sound": {"step": "sound"},
        "sound-answered": {"step": "sound", "state": "answered"},
        "network": {"step": "network"},
        "network-failed": {"step": "network", "state": "failed"},
        "provision": {"step": "provision"},
        "provision-done": {"step": "provision", "state": "done"},
        "summary": {"step": "summary"},
        "summary-done": {"step": "summary", "state": "done"},
    },
    "technician_pin": {"pad": {"step": "pad"}, "as_set": {"step": "as_set"}},
    # The product's page, and its second picture opened full screen (an overlay, audited
    # alone); both with the sample product, which has three pictures.
    # And its sign-language panel open (screens/widgets/sign_video.py), on a product that has
    # a clip (ProductScreen.page_params_for): skipped on content without one, as the demo is.
    "product": {"page": {}, "gallery": {"picture": 1, "full": True}, "sign": {"sign": True}},
    "admin": {"panel": {"shell": True}, "logs": {"shell": True, "view": "logs"}},
    # The Follow up keypad with a problem written above it, and an answer with a reply in
    # each language (long enough to wrap at every text scale).
    "follow_up": {
        "mistyped": {"step": "keypad", "outcome": "mistyped"},
        "answered": {"step": "answered", "outcome": "found", "reference": "4821-0937-5523",
                     "status": "answered",
                     "reply": "شكراً لرسالتك. أصلحنا المصعد يوم الأحد، ونعتذر عن الإزعاج. يمكنك "
                              "الاتصال بنا على 80000070 إذا احتجت إلى شيء آخر."},
        "closed": {"step": "closed", "outcome": "found", "reference": "4821-0937-5523",
                   "status": "closed",
                   "reply": "Thank you for your message. The lift was repaired on Sunday, and we "
                            "are sorry for the trouble. Call 80000070 if you need anything else."},
    },
}

# Home tiles in the order a visitor meets them; a name not (yet) in SCREENS gets no tile.
HOME_TILES: tuple[str, ...] = (
    "categories", "governorates", "manufacturers", "search", "news", "faq", "guide", "poll",
    "survey", "feedback", "follow_up", "contact", "policies", "settings",
)


def screen_class(name: str) -> Any:
    try:
        target = SCREENS[name]
    except KeyError:
        raise KeyError(f"no screen named {name!r}; known screens: "
                       f"{', '.join(sorted(SCREENS))}") from None
    module, _, cls = target.partition(":")
    return getattr(import_module(module), cls)


def title(name: str) -> str:
    """A registered screen's title (English msgid), without importing the screen."""
    return TITLES[name]


def page_params(screen: str, page: str) -> dict[str, Any]:
    """The parameters of ``screen``'s page ``page`` (AUDIT_PAGES); KeyError naming the pages
    it has when it has no such page."""
    pages = AUDIT_PAGES.get(screen, {})
    try:
        return dict(pages[page])
    except KeyError:
        raise KeyError(f"the {screen} screen has no page {page!r}; its pages are "
                       f"{', '.join(pages) or 'none'}") from None


def home_tiles() -> list[str]:
    return [name for name in HOME_TILES if name in SCREENS]
