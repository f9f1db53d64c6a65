from django.urls import path

from . import views

urlpatterns = [
    path("projects/", views.project_list, name="project-list"),
    path("projects/new/", views.project_create, name="project-create"),
    path("projects/<str:code>/", views.project_detail, name="project-detail"),
    path("projects/<str:code>/edit/", views.project_edit, name="project-edit"),
    path("projects/<str:code>/matrix/", views.project_matrix, name="project-matrix"),
    path("projects/<str:code>/duties/new/", views.project_duty_create, name="project-duty-create"),
]
