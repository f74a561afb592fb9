"""`python -m central.devserver` (what `make run` starts for now): a ready-to-try central on
127.0.0.1:8080 with the demo catalogue published and a fresh enrolment code printed."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> int:
    os.environ.setdefault("CENTRAL_HOME", str(Path("var/central").resolve()))
    import uvicorn

    from central.api import create_app
    from central.config import DEMO_DIR, load_settings
    from central.errors import CentralError
    from central.service import Central

    central = Central(load_settings())
    try:
        if (DEMO_DIR / "catalogue.json").is_file():
            # The dev home mirrors the demo exactly, so it matches what kiosks bundle.
            report = central.import_catalogue_dir(DEMO_DIR, replace_all=True)
            print(f"imported {report.records} demo records and {report.media} images")
        else:
            central.seed(40)
            print(f"no demo catalogue at {DEMO_DIR} yet; seeded 40 synthetic products instead")
        info = central.publish(published_by="devserver", only_if_changed=True)
        from central.cms.importer import import_into_cms
        from central.cms.models import KINDS

        # The CMS starts with what kiosks have: each kind it holds nothing of yet is imported
        # (a dev home made before a kind joined the CMS gets that kind, edits elsewhere stay).
        empty = [kind for kind, model in KINDS.items() if not model.objects.exists()]
        if empty:
            cms = import_into_cms(central, kinds=empty)
            print(f"CMS: imported {sum(cms.counts.values())} records and {cms.pictures} pictures")
    except CentralError as e:
        print(f"devserver: {e.message}", file=sys.stderr)
        return 1
    code = central.create_enrollment_code("development desk")
    host, port = "127.0.0.1", int(os.environ.get("CENTRAL_PORT", "8080"))
    base = f"http://{host}:{port}"
    print(f"""
central home:     {central.settings.home}
content version:  {info.version} ({info.records} records, {info.blobs} images)
enrolment code:   {code.code}   (valid once, 24 h)
  kiosk provision --api {base} --code {code.code}
API docs:         {base}/docs   ({base}/openapi.json)
open data:        {base}/open-data/products.json  {base}/open-data/products.csv
staff admin:      {base}/admin/
CMS:              {base}/cms/   (kiosk-central create-staff NAME --role editor|publisher)
""", flush=True)
    uvicorn.run(create_app(central), host=host, port=port, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
