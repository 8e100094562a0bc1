"""Forms are data: a JSON Schema (draft 2020-12 subset) plus a UI schema, drawn on the server,
read back from the post and validated with ``jsonschema``.

Field names
    A field's HTML name is the path of its value in the submitted JSON: property names joined
    by ``.``, row indices in ``[]``::

        nama                   {"nama": ...}
        pejabat.nama           {"pejabat": {"nama": ...}}
        anak[0].nama           {"anak": [{"nama": ...}]}

    Error dicts use the same names as keys (``""`` for the form as a whole). HTML ids are the
    name with ``f-`` in front and ``-`` between parts (``f-anak-0-nama``).

    Upload widgets post several fields under their name: ``<name>.file`` (the file),
    ``<name>.document_id`` (hidden: the document already attached) and, for ``evidence``,
    ``<name>.kind`` (the SIASN document kind). Their value is the document id (``file``) or
    ``{"document_id": 12, "kind": "872"}`` (``evidence``).

    In repeated groups, ``<row>._hapus`` ticks a row for removal and the button
    ``_tambah=<group name>`` asks for the form back with a new blank row (see ``added_row``).
    Property names therefore must not contain ``.``, ``[`` or ``]`` nor start with ``_``
    (``check_form`` says so).

UI schema
    react-jsonschema-form keys ``ui:title``, ``ui:description``, ``ui:help``, ``ui:order``,
    ``ui:widget`` (see ``WIDGETS``), ``ui:placeholder``, ``ui:enumNames``, ``ui:options.rows``,
    ``ui:errorMessages`` ({keyword: message}); ours: ``ui:referenceTable`` (choices from a
    reference table) and, for the ``evidence`` widget, ``ui:documentKinds`` (codes of table
    ``dokumen``).

A request, in the web layer::

    provider = functools.partial(reference_choices, session)
    form, upload_errors = bind_uploads(schema, ui, request.form, request.files, store)
    data = parse_submission(schema, ui, form)
    if added_row(form): redraw with render_form(schema, ui, data, None, provider)
    errors = validate_submission(schema, data, ui, provider) | upload_errors  # the refusal's reason wins
    check document_ids(schema, ui, data) belong to the user, then complete the task
"""
from .check import check_form
from .parse import ADD_ROW_FIELD, added_row, bind_uploads, document_ids, parse_submission
from .render import render_form
from .validate import validate_submission
from .widgets import WIDGETS, Widget

__all__ = ["ADD_ROW_FIELD", "WIDGETS", "Widget", "added_row", "bind_uploads", "check_form", "document_ids",
           "parse_submission", "render_form", "validate_submission"]
