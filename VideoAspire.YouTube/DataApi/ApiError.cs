namespace VideoAspire.YouTube.DataApi;

internal sealed record ApiError(int Code, string? Message, List<ApiErrorItem>? Errors, List<ApiErrorDetail>? Details);
