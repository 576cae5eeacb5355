"""forms: JSON Schema (Draft 2020-12) form definitions -> server-rendered HTML and validation.

The public API, kept stable for the other modules:

    form = load_form(schema, ui, name=...)          # cached per (name, content hash)
    data = form.parse_submission(multidict)          # HTML strings -> typed JSON
    errors = form.validate(data)                     # [FieldError(path, Chinese message)]
    form.render(values, errors, action=..., csrf_token=...)   # <form> Markup
    form.display(values, reveal_sensitive=False)     # read-only Markup, sensitive masked
    check_form_files(schema_path, ui_path)           # [FormProblem(file, pointer, message)]
    AttachmentStore(root).put(bytes, filename, content_type) / .open(sha256)
    uploads = Uploads(store, owner=session_secret)   # a submission's files: checked, staged
    form.parse_submission(multidict, attachments=uploads); save...; uploads.commit(data)
"""

from forms.attachments import Attachment, AttachmentStore, Uploads, references
from forms.check import FormProblem, check_form_files
from forms.form import Form, FormDefinitionError, form_by_key, load_form
from forms.formats import FORMAT_CHECKER, FormatProblem
from forms.messages import FieldError
from forms.render import install_filters, mask, templates_dir

__all__ = [
    "FORMAT_CHECKER",
    "Attachment",
    "AttachmentStore",
    "FieldError",
    "Form",
    "FormDefinitionError",
    "FormProblem",
    "FormatProblem",
    "Uploads",
    "check_form_files",
    "form_by_key",
    "install_filters",
    "load_form",
    "mask",
    "references",
    "templates_dir",
]
