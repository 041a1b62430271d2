from dangvien.exams.views import bank, marking, rounds

app_name = "exams"
urlpatterns = [*bank.urlpatterns, *rounds.urlpatterns, *marking.urlpatterns]
