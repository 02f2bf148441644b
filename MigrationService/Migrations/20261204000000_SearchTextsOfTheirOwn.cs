using AddressBook.Api.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AddressBook.MigrationService.Migrations;

/// <summary>
/// Moves the search text out of "People" into a table of its own, kept by a trigger (<see cref="SearchIndexing"/>),
/// so a large import can leave it to be computed after it commits. The texts already stored move as they are, with
/// no contact rewritten: the contacts' versions, which clients hold as ETags, stay what they were.
/// </summary>
[DbContext(typeof(AddressBookDbContext))]
[Migration("20261204000000_SearchTextsOfTheirOwn")]
public sealed class SearchTextsOfTheirOwn : Migration
{
    private const string People = "People";

    private const string FormerIndex = "IX_People_search";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: PersonSearchTextConfiguration.TableName,
            columns: table => new
            {
                id = table.Column<int>(type: "integer", nullable: false),
                search = table.Column<string>(type: "text", nullable: false),
                favorite = table.Column<bool>(type: "boolean", nullable: false),
                tags = table.Column<List<string>>(type: "text[]", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_PeopleSearch", text => text.id);
                table.ForeignKey(
                    name: "FK_PeopleSearch_People_id",
                    column: text => text.id,
                    principalTable: People,
                    principalColumn: "id",
                    onDelete: ReferentialAction.Cascade);
            });

        // Filled before it is indexed: one index build over a million texts, not a million index insertions.
        migrationBuilder.Sql($"""
            INSERT INTO public."{PersonSearchTextConfiguration.TableName}" (id, search, favorite, tags)
            SELECT id, {PersonConfiguration.FormerSearchColumn}, favorite, tags FROM public."{People}" WHERE {PersonConfiguration.FormerSearchColumn} IS NOT NULL
            """);
        migrationBuilder.CreateIndex(
                name: PersonSearchTextConfiguration.IndexName,
                table: PersonSearchTextConfiguration.TableName,
                column: PersonSearchTextConfiguration.TextColumn)
            .Annotation("Npgsql:IndexMethod", "gin")
            .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });
        migrationBuilder.Sql(ContactSearch.SetSearchStatisticsSql(PersonSearchTextConfiguration.TableName, ContactSearch.SearchStatisticsTarget));
        migrationBuilder.Sql(SearchIndexing.CreateSql);

        migrationBuilder.DropIndex(name: FormerIndex, table: People);
        migrationBuilder.DropColumn(name: PersonConfiguration.FormerSearchColumn, table: People);
        migrationBuilder.Sql($"""ANALYZE public."{PersonSearchTextConfiguration.TableName}" """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(
            name: PersonConfiguration.FormerSearchColumn,
            table: People,
            type: "text",
            nullable: true,
            computedColumnSql: ContactSearch.DocumentSql,
            stored: true);
        migrationBuilder.CreateIndex(name: FormerIndex, table: People, column: PersonConfiguration.FormerSearchColumn)
            .Annotation("Npgsql:IndexMethod", "gin")
            .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });
        migrationBuilder.Sql(ContactSearch.SetSearchStatisticsSql(People, ContactSearch.SearchStatisticsTarget));
        migrationBuilder.Sql(SearchIndexing.DropSql);
        migrationBuilder.DropTable(name: PersonSearchTextConfiguration.TableName);
    }
}
