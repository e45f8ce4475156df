namespace VideoAspire.Api.Channels;

/// <summary>
/// Validates every write before its handler runs: the route's channel id and the body, every error at once, as a
/// <c>400</c> validation problem. Hand-written over .NET 10's built-in validation because the rules need the clock
/// (no date after tomorrow) and report per-item paths such as <c>videos[3].published_at</c>.
/// </summary>
public static class ChannelWriteValidation
{
    public static RouteGroupBuilder ValidateChannelWrites(this RouteGroupBuilder group)
    {
        group.AddEndpointFilterFactory((factory, next) =>
        {
            // Where the handler takes its channel id and its body: found once per endpoint, not per request.
            var parameters = factory.MethodInfo.GetParameters();
            var channelIdAt = Array.FindIndex(parameters, p => p.Name == "channelId");
            var bodyAt = Array.FindIndex(parameters, p => p.ParameterType == typeof(VideoBatch) || p.ParameterType == typeof(ChannelRegistration));
            var bodyType = bodyAt < 0 ? null : parameters[bodyAt].ParameterType;

            return async context =>
            {
                var channelId = context.GetArgument<string>(channelIdAt);
                var errors = bodyType == typeof(VideoBatch)
                    ? ChannelValidation.Validate(channelId, context.GetArgument<VideoBatch?>(bodyAt),
                        context.HttpContext.RequestServices.GetRequiredService<TimeProvider>(), out _)
                    : bodyType == typeof(ChannelRegistration)
                        ? ChannelValidation.Validate(channelId, context.GetArgument<ChannelRegistration?>(bodyAt))
                        : ChannelValidation.ChannelIdErrors(channelId);
                return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : await next(context);
            };
        });
        return group.ProducesValidationProblem();
    }
}
