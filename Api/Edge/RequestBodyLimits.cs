using Microsoft.AspNetCore.Http.Metadata;

namespace AddressBook.Api.Edge;

public static class RequestBodyLimits
{
    /// <summary>For any route that sets no limit of its own.</summary>
    public const long DefaultBytes = 1024 * 1024;

    /// <summary>A person is two names of at most 255 characters: anything near this size is not one.</summary>
    public const long PersonBytes = 16 * 1024;

    /// <summary>A contact with all its details at their limits (notes of 10,000 characters, 20 emails…) fits well within this.</summary>
    public const long ContactBytes = 128 * 1024;

    /// <summary>A larger body is answered 413 with problem details, before it is read any further.</summary>
    public static TBuilder WithRequestBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestBodyLimit(bytes));

    private sealed record RequestBodyLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}
