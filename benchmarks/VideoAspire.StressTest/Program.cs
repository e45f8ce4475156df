// make stress-test USERS=200 SPAWN_RATE=20 DURATION=2m   (or flags: --users 200 …; --help lists them)
using VideoAspire.StressTest;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); }; // Ctrl+C ends the run early, with its report
return await StressCommand.CreateApp().RunAsync(args, cancel.Token);
