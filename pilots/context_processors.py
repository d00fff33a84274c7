from . import policy


def portal(request):
    """What base.html and the pages need on every page: what the user may do, as booleans from the policy."""
    user = getattr(request, "user", None)
    return {
        "is_organisation_staff": policy.is_organisation_staff(user),
        "is_coordinator": policy.is_coordinator(user),
        "may": {
            "read_national": policy.can_read_national(user),
            "read_dashboards": policy.can_read_dashboards(user),
            "read_queue": policy.can_read_queue(user),
            "read_reports": policy.can_read_reports(user),
            "read_history": policy.can_read_history(user),
            "import_registry": policy.can_import(user),
            "write_narrative": policy.can_write_final_narrative(user),
        },
    }
