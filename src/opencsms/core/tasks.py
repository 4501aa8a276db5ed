"""The one place that imports the background-task decorator (django-tasks today, `django.tasks` on Django 6).

Services decorate their background work with `@task` from here and enqueue it inside their transaction.
"""

from __future__ import annotations

from django_tasks import task

__all__ = ["task"]
