using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AddressBook.Api.Data;

public sealed class PageViewCounterConfiguration : IEntityTypeConfiguration<PageViewCounter>
{
    public const string TableName = "PageViews";

    public const int PageMaxLength = 64;

    public void Configure(EntityTypeBuilder<PageViewCounter> counter)
    {
        counter.ToTable(TableName);
        counter.HasKey(c => c.Page);
        counter.Property(c => c.Page).HasColumnName("page").HasMaxLength(PageMaxLength);
        counter.Property(c => c.Views).HasColumnName("views");
    }
}
