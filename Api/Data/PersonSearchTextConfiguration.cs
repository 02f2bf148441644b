using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AddressBook.Api.Data;

public sealed class PersonSearchTextConfiguration : IEntityTypeConfiguration<PersonSearchText>
{
    public const string TableName = "PeopleSearch";

    public const string TextColumn = "search";

    public const string IndexName = "IX_PeopleSearch_search";

    public void Configure(EntityTypeBuilder<PersonSearchText> text)
    {
        text.ToTable(TableName);
        text.HasKey(t => t.Id);
        text.Property(t => t.Id).HasColumnName("id").ValueGeneratedNever();
        text.Property(t => t.Text).HasColumnName(TextColumn);
        text.Property(t => t.Favorite).HasColumnName("favorite");
        text.Property(t => t.Tags).HasColumnName("tags");
        text.HasIndex(t => t.Text).HasDatabaseName(IndexName).HasMethod("gin").HasOperators("gin_trgm_ops");
        // A deleted contact takes its text along, whoever deletes it; no text outlives its contact, so a page of
        // matching texts is a page of contacts.
        text.HasOne<Person>().WithOne().HasForeignKey<PersonSearchText>(t => t.Id).OnDelete(DeleteBehavior.Cascade);
    }
}
