using AddressBook.Api.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AddressBook.MigrationService.Migrations;

/// <summary>
/// Adds a contact's details as columns with defaults, so the tutorial's app still reads "People" and its inserts,
/// which name only the columns it knows, still succeed; and the folded search text with its trigram index.
/// </summary>
[DbContext(typeof(AddressBookDbContext))]
[Migration("20261201000000_AddContactDetails")]
public sealed class AddContactDetails : Migration
{
    private const string Table = "People";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(ContactSearch.CreateFunctionsSql);

        migrationBuilder.AddColumn<string>(name: "company", table: Table, type: "character varying(255)", maxLength: 255, nullable: true);
        migrationBuilder.AddColumn<string>(name: "title", table: Table, type: "character varying(255)", maxLength: 255, nullable: true);
        migrationBuilder.AddColumn<DateOnly>(name: "birthday", table: Table, type: "date", nullable: true);
        migrationBuilder.AddColumn<string>(name: "notes", table: Table, type: "text", nullable: true);
        migrationBuilder.AddColumn<bool>(name: "favorite", table: Table, type: "boolean", nullable: false, defaultValue: false);
        migrationBuilder.AddColumn<List<string>>(name: "tags", table: Table, type: "text[]", nullable: false, defaultValueSql: "'{}'");
        foreach (var column in new[] { "emails", "phones", "addresses" })
        {
            migrationBuilder.AddColumn<string>(name: column, table: Table, type: "jsonb", nullable: false, defaultValueSql: "'[]'");
        }

        migrationBuilder.AddColumn<string>(
            name: PersonConfiguration.FormerSearchColumn,
            table: Table,
            type: "text",
            nullable: true,
            computedColumnSql: ContactSearch.DocumentSql,
            stored: true);

        migrationBuilder.CreateIndex(name: "IX_People_search", table: Table, column: PersonConfiguration.FormerSearchColumn)
            .Annotation("Npgsql:IndexMethod", "gin")
            .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });
        migrationBuilder.CreateIndex(name: "IX_People_tags", table: Table, column: "tags")
            .Annotation("Npgsql:IndexMethod", "gin");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var column in new[] { PersonConfiguration.FormerSearchColumn, "company", "title", "birthday", "notes", "favorite", "tags", "emails", "phones", "addresses" })
        {
            migrationBuilder.DropColumn(name: column, table: Table);
        }

        migrationBuilder.Sql(ContactSearch.DropFunctionsSql);
    }
}
