"""The models, with Django set up first: modules that query import them from here
(``from central.orm import Device``) so that importing them works in any process."""

from central.db import setup

setup()

from central.models import (  # noqa: E402
    AuditEntry,
    Blob,
    ConfigSetting,
    Device,
    DeviceCommand,
    EnrollmentCode,
    Piece,
    PublishSchedule,
    Record,
    Release,
    Submission,
    SubmissionNote,
    UsageCount,
)

__all__ = ["Blob", "ConfigSetting", "Device", "DeviceCommand", "EnrollmentCode", "Piece",
           "PublishSchedule", "Record", "Release", "Submission", "SubmissionNote", "AuditEntry",
           "UsageCount"]
