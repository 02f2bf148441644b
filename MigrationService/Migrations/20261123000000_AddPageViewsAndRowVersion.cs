using AddressBook.Api.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AddressBook.MigrationService.Migrations;

/// <summary>
/// Adds the page view counters. The contacts' row version is PostgreSQL's own <c>xmin</c> system column: the model
/// gains it here, the table gains nothing, so the tutorial's app reads "People" as before.
/// </summary>
[DbContext(typeof(AddressBookDbContext))]
[Migration("20261123000000_AddPageViewsAndRowVersion")]
public sealed class AddPageViewsAndRowVersion : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "PageViews",
            columns: table => new
            {
                page = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                views = table.Column<long>(type: "bigint", nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_PageViews", counter => counter.page));

        // Npgsql emits no SQL for a system column; the operation keeps the migration and the model in step.
        migrationBuilder.AddColumn<uint>(
            name: "xmin",
            table: "People",
            type: "xid",
            rowVersion: true,
            nullable: false,
            defaultValue: 0u);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropColumn(name: "xmin", table: "People");
        migrationBuilder.DropTable(name: "PageViews");
    }
}
