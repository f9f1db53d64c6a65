from django.urls import path, re_path

from .views import in_draft, matrix, matrix_new, pages, structure

urlpatterns = [
    path("drafts/", pages.draft_list, name="draft-list"),
    path("drafts/<int:pk>/", pages.draft_detail, name="draft-detail"),
    path("drafts/<int:pk>/submit/", pages.draft_submit, name="draft-submit"),
    path("drafts/<int:pk>/publish/", pages.draft_publish, name="draft-publish"),
    path("drafts/<int:pk>/discard/", pages.draft_discard, name="draft-discard"),
    path("drafts/<int:pk>/reopen/", pages.draft_reopen, name="draft-reopen"),
    path("drafts/<int:pk>/delete/", pages.draft_delete, name="draft-delete"),
    path(
        "drafts/<int:pk>/conflicts/<str:kind>/<int:change_id>/",
        pages.conflict_settle,
        name="draft-conflict",
    ),
    path(
        "drafts/<int:pk>/approvals/<int:approval_id>/",
        pages.approval_answer,
        name="draft-answer",
    ),
    path("drafts/<int:pk>/matrix/<str:code>/", matrix.draft_matrix, name="draft-matrix"),
    path(
        "drafts/<int:pk>/matrix/<str:code>/export.csv",
        matrix.draft_matrix_export,
        name="draft-matrix-export",
    ),
    path(
        "drafts/<int:pk>/cells/<int:duty_id>/<int:role_id>/",
        matrix.draft_cell,
        name="draft-cell",
    ),
    path("drafts/<int:pk>/duties/<int:duty_id>/", matrix.draft_duty, name="draft-duty"),
    # Duties and roles the draft adds (views/matrix_new.py); their cells share the prefix
    # of draft-cell, with minus the new thing's pk as its id.
    re_path(
        r"^drafts/(?P<pk>[0-9]+)/cells/(?P<duty_ref>-?[0-9]+)/(?P<role_ref>-?[0-9]+)/$",
        matrix_new.draft_new_cell,
        name="draft-new-cell",
    ),
    path("drafts/<int:pk>/new-duties/", matrix_new.draft_new_duty, name="draft-new-duty-add"),
    path(
        "drafts/<int:pk>/new-duties/<int:item>/", matrix_new.draft_new_duty, name="draft-new-duty"
    ),
    path(
        "drafts/<int:pk>/new-duties/<int:item>/delete/",
        matrix_new.draft_new_duty_delete,
        name="draft-new-duty-delete",
    ),
    path("drafts/<int:pk>/new-roles/", matrix_new.draft_new_role, name="draft-new-role-add"),
    path("drafts/<int:pk>/new-roles/<int:item>/", matrix_new.draft_new_role, name="draft-new-role"),
    path(
        "drafts/<int:pk>/new-roles/<int:item>/delete/",
        matrix_new.draft_new_role_delete,
        name="draft-new-role-delete",
    ),
    # Roles, people and information flows (views/structure.py)
    path(
        "drafts/<int:pk>/roles/<int:role_id>/change/",
        structure.draft_role,
        name="draft-role-change",
    ),
    path(
        "drafts/<int:pk>/roles/<int:role_id>/people/",
        structure.draft_role_people,
        name="draft-role-people",
    ),
    path("drafts/<int:pk>/flows/", structure.draft_flows, name="draft-flows"),
    path("drafts/<int:pk>/lookup/<str:kind>/", structure.draft_lookup, name="draft-lookup"),
    path(
        "drafts/<int:pk>/undo/<str:kind>/<int:change_id>/",
        structure.draft_structure_undo,
        name="draft-structure-undo",
    ),
    # Pages and exports in a draft (views/in_draft.py).
    path(
        "drafts/<int:pk>/matrix/<str:code>/export.xlsx",
        in_draft.draft_matrix_xlsx,
        name="draft-matrix-xlsx",
    ),
    path(
        "drafts/<int:pk>/departments/<str:code>/",
        in_draft.draft_department,
        name="draft-department",
    ),
    path("drafts/<int:pk>/roles/<int:role_id>/", in_draft.draft_role, name="draft-role"),
    path(
        "drafts/<int:pk>/roles/<int:role_id>/description.<str:fmt>",
        in_draft.draft_role_document,
        name="draft-role-document",
    ),
    path("drafts/<int:pk>/findings/", in_draft.draft_findings, name="draft-findings"),
]
