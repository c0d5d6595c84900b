from toolkit.views.workgroups import area_page

index = area_page("agreements/index.html")
