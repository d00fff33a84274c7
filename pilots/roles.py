"""The Institute edits the pilot's editable data (periods, indicators, rules, stages, the order's records)
in the admin, and reads submissions and reports there; this group carries exactly those permissions."""

from django.contrib.auth.models import Group, Permission

# A group's name is data, shown as it is in the admin to kk and ru readers alike: it names itself in both.
INSTITUTE_GROUP = "Институт редакторлары / Редакторы Института"
# Its name before it was given in Kazakh and Russian; an existing installation's group is renamed, not doubled.
FORMER_INSTITUTE_GROUP = "Institute editors"
INSTITUTE_MODELS = {
    "monitoring": ["period", "section", "indicator", "validationrule"],
    "pilots": ["stage", "activity", "clauseexecution"],
}
READ_ONLY_MODELS = {
    # Written through the organisation's card, which also ends the membership.
    "pilots": ["pilotmembershipchange"],
    "monitoring": ["submission", "value", "attachment", "reminderlog"],
    # Reports are read-only for everyone in the admin; the Institute looks there for a stuck one.
    "reports": ["report", "reportversion"],
}


def institute_group() -> Group:
    """The group, created or brought up to date (idempotent)."""
    if not Group.objects.filter(name=INSTITUTE_GROUP).exists():
        Group.objects.filter(name=FORMER_INSTITUTE_GROUP).update(name=INSTITUTE_GROUP)
    group, _created = Group.objects.get_or_create(name=INSTITUTE_GROUP)
    wanted = []
    for app, models in INSTITUTE_MODELS.items():
        wanted += Permission.objects.filter(content_type__app_label=app, content_type__model__in=models)
    for app, models in READ_ONLY_MODELS.items():
        wanted += Permission.objects.filter(
            content_type__app_label=app, content_type__model__in=models, codename__startswith="view_"
        )
    group.permissions.set(wanted)
    return group
