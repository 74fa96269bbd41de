using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(EmailMonitor.Benchmarks.IngestBenchmarks).Assembly).Run(args);
