using Microsoft.EntityFrameworkCore;

namespace AddressBook.Api.Data;

public sealed class AddressBookDbContext(DbContextOptions<AddressBookDbContext> options) : DbContext(options)
{
    public DbSet<Person> People => Set<Person>();

    public DbSet<PageViewCounter> PageViews => Set<PageViewCounter>();

    public DbSet<SearchWord> SearchWords => Set<SearchWord>();

    public DbSet<PersonSearchText> SearchTexts => Set<PersonSearchText>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Sequelize declared the key as SERIAL; identity columns would not match the adopted table.
        modelBuilder.UseSerialColumns();
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AddressBookDbContext).Assembly);
        modelBuilder.HasDbFunction(typeof(ContactSearch).GetMethod(nameof(ContactSearch.Fold))!)
            .HasSchema("public")
            .HasName(ContactSearch.FoldFunction);
    }
}
