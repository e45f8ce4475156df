namespace VideoAspire.AppHost;

internal static class RedisContainerExtensions
{
    /// <summary>
    /// Appends redis-server options. AddRedis starts the container as <c>/bin/sh -c "redis-server …"</c>, so plain
    /// WithArgs would land after the script; this edits the script once Aspire has built it.
    /// </summary>
    public static IResourceBuilder<RedisResource> WithRedisServerArguments(
        this IResourceBuilder<RedisResource> redis, params string[] arguments) =>
        redis.WithArgs(context =>
        {
            var script = context.Args.IndexOf("-c") + 1;
            if (script > 0 && script < context.Args.Count && context.Args[script] is string command)
            {
                context.Args[script] = $"{command} {string.Join(' ', arguments)}";
            }
            else
            {
                foreach (var argument in arguments)
                {
                    context.Args.Add(argument);
                }
            }
        });
}
