using Microsoft.Extensions.Options;

namespace VideoAspire.Api.Security;

public static class ReadAccess
{
    /// <summary>
    /// The rule for every read group: scope <see cref="Scopes.VideosRead"/>, or, with anonymous reads (Development),
    /// nothing to authorize rather than a policy that always succeeds on every read.
    /// </summary>
    public static RouteGroupBuilder RequireReadAccess(this RouteGroupBuilder group, IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetRequiredService<IOptions<AuthOptions>>().Value.AllowAnonymousReads)
        {
            group.AllowAnonymous();
        }
        else
        {
            group.RequireAuthorization(Scopes.ReadPolicy);
        }

        return group;
    }
}
