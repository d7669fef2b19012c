"""formkit: Word and Excel forms for *gefaseerd samenwerken aan veiligheid* and the TOP-3 method.

The public API, in the order of the cycle (each name has its own docstring: ``help(formkit.write_forms)``):

- settings and schema: :class:`MethodSettings`, :data:`DEFAULT_SETTINGS`, :func:`load_settings`,
  :func:`build_schema`, :class:`Schema`
- findings: :class:`Finding`, :class:`Code`, :class:`Severity`, :func:`has_errors`,
  :class:`FormkitError`, :class:`UsageError`
- the register: :func:`load_register` (reads and checks it) gives a :class:`LoadResult` with a
  :class:`Register`; :func:`check_register`, :func:`new_register`
- the key forms are sealed with: :func:`load_key`, :func:`default_key`, :class:`SealKey`; the
  bundled samples: :func:`samples_dir`, :func:`demo_key`
- forms for a meeting: :func:`write_forms` (score sheets, :class:`FormsResult`),
  :func:`write_top3_forms` (TOP-3 forms, :class:`DocsResult`)
- checking returned forms: :func:`check_batch` (:class:`BatchResult`, :class:`FileResult`),
  :func:`summarise` (a :class:`CheckSummary`), :func:`format_summary`, :func:`write_reports`,
  :func:`read_summary` (rapporten.json back), :func:`mail_reports` (:class:`MailResult`)
- the joint plan: :func:`merge_and_write` (yields each :class:`Plan` with its folder, or a
  :class:`NoFormsReceived`), :func:`merge_batch`, :func:`read_plan` (a plan.json back, as a
  :class:`StoredPlan`), :class:`History`, :func:`default_history_path`
- meeting packs: :func:`build_packs` (:class:`PackResult`), :class:`LibreOfficeMissing`
- progress: :func:`household_statuses` (:class:`HouseholdStatus`), :func:`format_status`,
  :func:`write_dashboard`

Importing formkit is cheap: each name loads its module (openpyxl, docxtpl, pypdf) on first use.
"""

__version__ = "0.1.0"

#: True only for type checkers (mypy and editors read it so); importing typing would cost more than formkit itself.
TYPE_CHECKING = False

#: Public name -> (module under formkit, name there). Loaded on first use by __getattr__.
_EXPORTS: dict[str, tuple[str, str]] = {
    # settings and schema
    "MethodSettings": ("core.settings", "MethodSettings"),
    "DEFAULT_SETTINGS": ("core.settings", "DEFAULT_SETTINGS"),
    "load_settings": ("core.settings", "load_settings"),
    "build_schema": ("sheets.schema", "build_schema"),
    "Schema": ("sheets.schema", "Schema"),
    # findings and errors
    "Finding": ("core.findings", "Finding"),
    "Code": ("core.messages", "Code"),
    "Severity": ("core.findings", "Severity"),
    "has_errors": ("core.findings", "has_errors"),
    "FormkitError": ("core.errors", "FormkitError"),
    "UsageError": ("core.errors", "UsageError"),
    # the register
    "load_register": ("register.load", "load"),
    "LoadResult": ("register.load", "LoadResult"),
    "Register": ("register.model", "Register"),
    "check_register": ("register.check", "check"),
    "new_register": ("register.write", "new_register"),
    # the key and the samples
    "SealKey": ("sheets.seal", "SealKey"),
    "load_key": ("sheets.seal", "load_key"),
    "default_key": ("sheets.seal", "default_key"),
    "samples_dir": ("core.templates", "samples_dir"),
    "demo_key": ("sheets.samples", "demo_key"),
    # forms for a meeting
    "write_forms": ("sheets.forms", "write_forms"),
    "FormsResult": ("sheets.forms", "FormsResult"),
    "write_top3_forms": ("documents.word", "write_top3_forms"),
    "DocsResult": ("documents.word", "DocsResult"),
    # checking returned forms
    "check_batch": ("returns.batch", "check_batch"),
    "BatchResult": ("returns.batch", "BatchResult"),
    "FileResult": ("returns.batch", "FileResult"),
    "summarise": ("delivery.reports", "summarise"),
    "format_summary": ("delivery.reports", "format_summary"),
    "write_reports": ("delivery.reports", "write_reports"),
    "CheckSummary": ("delivery.summary", "CheckSummary"),
    "read_summary": ("delivery.summary", "read_summary"),
    "mail_reports": ("delivery.mail", "mail_reports"),
    "MailResult": ("delivery.mail", "MailResult"),
    # the joint plan
    "merge_and_write": ("documents.plan_files", "merge_and_write"),
    "merge_batch": ("plan.merge", "merge_batch"),
    "Plan": ("plan.model", "Plan"),
    "NoFormsReceived": ("plan.merge", "NoFormsReceived"),
    "read_plan": ("plan.versions", "read_plan"),
    "StoredPlan": ("plan.versions", "StoredPlan"),
    "History": ("plan.history", "History"),
    "default_history_path": ("plan.history", "default_path"),
    # meeting packs
    "build_packs": ("delivery.pack", "build_packs"),
    "PackResult": ("delivery.pack", "PackResult"),
    "LibreOfficeMissing": ("delivery.pdf", "LibreOfficeMissing"),
    # progress over meetings
    "household_statuses": ("plan.status", "household_statuses"),
    "HouseholdStatus": ("plan.status", "HouseholdStatus"),
    "format_status": ("plan.status", "format_table"),
    "write_dashboard": ("documents.dashboard", "write_dashboard"),
}

__all__ = [
    "__version__",
    # settings and schema
    "MethodSettings", "DEFAULT_SETTINGS", "load_settings", "build_schema", "Schema",
    # findings and errors
    "Finding", "Code", "Severity", "has_errors", "FormkitError", "UsageError",
    # the register
    "load_register", "LoadResult", "Register", "check_register", "new_register",
    # the key and the samples
    "SealKey", "load_key", "default_key", "samples_dir", "demo_key",
    # forms for a meeting
    "write_forms", "FormsResult", "write_top3_forms", "DocsResult",
    # checking returned forms
    "check_batch", "BatchResult", "FileResult", "summarise", "format_summary", "write_reports",
    "CheckSummary", "read_summary", "mail_reports", "MailResult",
    # the joint plan
    "merge_and_write", "merge_batch", "Plan", "NoFormsReceived", "read_plan", "StoredPlan", "History",
    "default_history_path",
    # meeting packs
    "build_packs", "PackResult", "LibreOfficeMissing",
    # progress over meetings
    "household_statuses", "HouseholdStatus", "format_status", "write_dashboard",
]


def __getattr__(name: str) -> object:
    """Return a public name, importing its module the first time it is asked for."""
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'formkit' has no attribute {name!r}") from None
    value = getattr(__import__(f"{__name__}.{module}", fromlist=[attribute]), attribute)  # the module itself
    globals()[name] = value  # the next lookup does not come here
    return value


def __dir__() -> list[str]:
    """Return the module's names with the public API, so help(formkit) and completion list them."""
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # what type checkers and editors see; at run time __getattr__ loads the same names
    from .core.errors import FormkitError, UsageError
    from .core.findings import Finding, Severity, has_errors
    from .core.messages import Code
    from .core.settings import DEFAULT_SETTINGS, MethodSettings, load_settings
    from .core.templates import samples_dir
    from .delivery.mail import MailResult, mail_reports
    from .delivery.pack import PackResult, build_packs
    from .delivery.pdf import LibreOfficeMissing
    from .delivery.reports import format_summary, summarise, write_reports
    from .delivery.summary import CheckSummary, read_summary
    from .documents.dashboard import write_dashboard
    from .documents.plan_files import merge_and_write
    from .documents.word import DocsResult, write_top3_forms
    from .plan.history import History
    from .plan.history import default_path as default_history_path
    from .plan.merge import NoFormsReceived, merge_batch
    from .plan.model import Plan
    from .plan.status import HouseholdStatus, household_statuses
    from .plan.status import format_table as format_status
    from .plan.versions import StoredPlan, read_plan
    from .register.check import check as check_register
    from .register.load import LoadResult
    from .register.load import load as load_register
    from .register.model import Register
    from .register.write import new_register
    from .returns.batch import BatchResult, FileResult, check_batch
    from .sheets.forms import FormsResult, write_forms
    from .sheets.samples import demo_key
    from .sheets.schema import Schema, build_schema
    from .sheets.seal import SealKey, default_key, load_key
