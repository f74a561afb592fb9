"""The CMS's URLs under /cms/ (central.urls puts them beside the staff admin's)."""

from django.urls import include, path, re_path
from wagtail.admin import urls as wagtailadmin_urls

from central.cms import views

urlpatterns = [
    path("cms/login/", views.login, name="cms_login"),
    re_path(r"^cms/static/(?P<path>.+)$", views.static),
    re_path(r"^cms/media/(?P<path>.+)$", views.media),
    re_path(r"^cms/sign-captions/(?P<clip_id>[0-9]{1,12})/(?P<lang>ar|en)\.vtt$",
            views.sign_captions),
    path("cms/", include(wagtailadmin_urls)),
]
