namespace VideoAspire.YouTube.DataApi;

internal sealed record ApiErrorItem(string? Reason, string? Domain, string? Message);
