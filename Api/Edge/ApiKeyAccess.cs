using Microsoft.AspNetCore.Authorization;

namespace AddressBook.Api.Edge;

public static class ApiKeyAccess
{
    private const string ReadPolicy = "api-key-read";
    private const string ReadOrWriteByMethodPolicy = "api-key-read-or-write-by-method";

    /// <summary>
    /// Reads (GET, HEAD, OPTIONS) need either key; everything else needs the read-write key. No key is a 401, a read-only
    /// key on a change a 403. When no keys are configured the routes stay open.
    /// </summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(ReadOrWriteByMethodPolicy);

    /// <summary>Either key, whatever the method: for writes that are part of reading, such as counting a page view.</summary>
    public static TBuilder RequireApiReadKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(ReadPolicy);

    internal static void AddPolicies(AuthorizationOptions options, bool enforced)
    {
        options.AddPolicy(ReadPolicy, policy => policy.RequireAssertion(context => !enforced || context.User.IsInRole(ApiKeyAuthenticationHandler.ReadRole)));
        options.AddPolicy(ReadOrWriteByMethodPolicy, policy => policy.RequireAssertion(context =>
            !enforced || context.User.IsInRole(IsRead(context.Resource) ? ApiKeyAuthenticationHandler.ReadRole : ApiKeyAuthenticationHandler.WriteRole)));
    }

    private static bool IsRead(object? resource) =>
        resource is HttpContext { Request.Method: var method } && (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));
}
