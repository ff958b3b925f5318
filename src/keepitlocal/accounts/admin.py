from django.contrib import admin

from keepitlocal.accounts.models import Role, User


class RoleInline(admin.TabularInline[Role, User]):
    model = Role
    extra = 0


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    list_display = ("email", "full_name", "is_active")
    search_fields = ("email", "full_name")
    exclude = ("password",)
    inlines = [RoleInline]
