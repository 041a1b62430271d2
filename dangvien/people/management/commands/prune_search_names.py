"""``manage.py prune_search_names``: remove from the dictionary of folded names the names
no person holds any more (a name corrected, a person deleted; ``people.names``). Run it
from the owner's connection, e.g. monthly or after removing people; it holds writes
of people back for the second or so it takes."""

from typing import Any

from django.core.management.base import BaseCommand

from dangvien.people.names import prune_search_names


class Command(BaseCommand):
    help = "Xóa khỏi từ điển tên dùng để tìm kiếm những tên không còn ai mang."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = prune_search_names()
        self.stdout.write(f"Đã xóa {removed} tên không còn ai mang khỏi từ điển tìm kiếm.")
