/** The console API's shapes: the server's own types (type-only imports; nothing of the server is bundled). */
export type { Overview, OverviewFunction } from '../../src/console/overview';
export type { FunctionPage as FunctionPageData } from '../../src/console/function-page';
export type { SourceRow } from '../../src/console/sources-page';
export type { StoredLogEntry } from '../../src/logs/reader';
export type { DlqRecord } from '../../src/dlq/store';
export type { DlqListPage, DlqRow } from '../../src/console/dlq-list';
