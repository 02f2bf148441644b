using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AddressBook.Api.Data;

/// <summary>
/// The table of <see cref="SearchWord"/>s, filled by triggers on "People" (<see cref="ContactSearch.SearchWordsSql"/>),
/// so the tutorial's app's writes add their words too.
/// </summary>
public sealed class SearchWordConfiguration : IEntityTypeConfiguration<SearchWord>
{
    public const string TableName = "SearchWords";

    public const string IndexName = "IX_SearchWords_word";

    public void Configure(EntityTypeBuilder<SearchWord> word)
    {
        word.ToTable(TableName);
        word.HasKey(w => w.Word);
        word.Property(w => w.Word).HasColumnName("word");
        word.HasIndex(w => w.Word).HasDatabaseName(IndexName).HasMethod("gin").HasOperators("gin_trgm_ops");
    }
}
