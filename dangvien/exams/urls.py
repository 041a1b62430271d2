from dangvien.exams.views import bank, marking, rounds, sittings

app_name = "exams"
urlpatterns = [
    *bank.urlpatterns,
    *rounds.urlpatterns,
    *sittings.urlpatterns,
    *marking.urlpatterns,
]
