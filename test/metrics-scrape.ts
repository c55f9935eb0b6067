/** One scrape of a /metrics page in the Prometheus text format, for assertions. */
export class MetricsScrape {
  private constructor(
    readonly text: string,
    private readonly samples: Array<{ name: string; labels: Record<string, string>; value: number }>,
  ) {}

  static async of(url: string): Promise<MetricsScrape> {
    const response = await fetch(url);
    if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
    return MetricsScrape.parse(await response.text());
  }

  static parse(text: string): MetricsScrape {
    const samples = [];
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, name, value] of (match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[name] = value;
      samples.push({ name: match[1], labels, value: Number(match[3]) });
    }
    return new MetricsScrape(text, samples);
  }

  /** The value of the one sample named `name` whose labels include `labels`; 0 when there is none. */
  value(name: string, labels: Record<string, string> = {}): number {
    const found = this.matching(name, labels);
    if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
    return found[0]?.value ?? 0;
  }

  /** Sum over every sample named `name` whose labels include `labels`. */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.matching(name, labels).reduce((total, sample) => total + sample.value, 0);
  }

  /** Label sets of the samples named `name`. */
  labelSets(name: string): Array<Record<string, string>> {
    return this.matching(name, {}).map((sample) => sample.labels);
  }

  /** The `# TYPE` of a metric family, or undefined when it is not exported. */
  type(family: string): string | undefined {
    return new RegExp(`^# TYPE ${family} (\\w+)$`, 'm').exec(this.text)?.[1];
  }

  /** Every family named in a `# TYPE` line. */
  families(): string[] {
    return [...this.text.matchAll(/^# TYPE (\S+) \w+$/gm)].map((match) => match[1]);
  }

  private matching(name: string, labels: Record<string, string>) {
    return this.samples.filter(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  }
}
