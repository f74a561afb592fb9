"""Django's URLs (settings.ROOT_URLCONF): the staff admin under /admin (central.staff) and the
CMS under /cms/ (central.cms). central.web.StaffSite sends only those two prefixes to Django."""

from central.cms.urls import urlpatterns as cms_urlpatterns
from central.staff import urlpatterns as staff_urlpatterns

urlpatterns = [*staff_urlpatterns, *cms_urlpatterns]
