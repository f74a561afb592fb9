"""What the visitor reads: news, questions and answers, the service guide and the portal's
policies, each as a list and as one entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.device import KioskDevice
    from kiosk.protocol import Faq, GuideEntry, News, Policy


class Reading:
    def __init__(self, device: KioskDevice):
        self._device = device

    def news(self) -> list[News]:
        """Newest first."""
        return self._device.store.news()

    def news_item(self, news_id: str | None) -> News | None:
        if not news_id:
            return None
        return next((n for n in self.news() if n.id == news_id), None)

    def faq(self) -> list[Faq]:
        return self._device.store.faq()

    def faq_entry(self, faq_id: str | None) -> Faq | None:
        return next((f for f in self.faq() if f.id == faq_id), None) if faq_id else None

    def guide(self) -> list[GuideEntry]:
        return self._device.store.guide()

    def guide_entry(self, entry_id: str | None) -> GuideEntry | None:
        return next((g for g in self.guide() if g.id == entry_id), None) if entry_id else None

    def policies(self) -> list[Policy]:
        """In their editorial order."""
        return self._device.store.policies()

    def policy(self, policy_id: str | None) -> Policy | None:
        return self._device.store.policy(policy_id) if policy_id else None

    def portal_url(self) -> str | None:
        """Where the portal (and the full text of every policy) is published."""
        site = self._device.store.site()
        return str(site.portal_url) if site is not None else None
