using AddressBook.Api.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AddressBook.MigrationService.Migrations;

/// <summary>Tells the planner what a typo search's similarity test costs (<see cref="ContactSearch.SimilarityCost"/>); the model does not change.</summary>
[DbContext(typeof(AddressBookDbContext))]
[Migration("20261202000001_TypoSearchCost")]
public sealed class TypoSearchCost : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(ContactSearch.SetSimilarityCostSql(ContactSearch.SimilarityCost));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(ContactSearch.SetSimilarityCostSql(ContactSearch.DefaultSimilarityCost));
    }
}
