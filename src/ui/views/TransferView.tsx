/**
 * View 7, Transfer benchmark (Vora et al. 2023, arXiv 2308.08160): adversarial images crafted
 * once on the dense base model are applied to its pruned versions (each criterion at each
 * sparsity, pruned from the current model); the table gives clean, transfer and white-box robust
 * accuracy with effective params, MACs and inference time, and the heat maps show one figure per
 * attack over methods × sparsities.
 */
import { TransferForm } from '../components/transfer/TransferForm';
import { TransferHeatmap } from '../components/transfer/TransferHeatmap';
import { TransferTable } from '../components/transfer/TransferTable';
import { useCore } from '../store/core';
import { useTransfer } from '../store/transfer';

export function TransferView() {
  const dataset = useCore((s) => s.dataset);
  const model = useCore((s) => s.model);
  const report = useTransfer((s) => s.report);
  const running = useTransfer((s) => s.running);
  const defaultEps = dataset?.budget.epsLinf ?? 0.1;

  return (
    <section className="transfer-view" aria-label="Transfer benchmark">
      <div className="card">
        <h2>Transfer benchmark</h2>
        <p className="label">
          Adversarial images crafted on the dense base model, applied to its pruned versions (Vora
          et al. 2023). Transfer robust: clean-correct and still correct on the base&apos;s
          adversarial image; white-box robust: the same attack crafted on the pruned model itself.
        </p>
        <TransferForm defaultEps={defaultEps} ready={dataset !== null && model !== null} />
      </div>
      {report ? (
        <div data-state={running ? 'computing' : 'ready'} data-testid="transfer-report">
          <div className="card">
            <h3>Transfer heat maps</h3>
            <TransferHeatmap report={report} />
          </div>
          <div className="card">
            <h3>Base to pruned</h3>
            {report.note ? <p className="label">{report.note}</p> : null}
            <TransferTable report={report} />
          </div>
        </div>
      ) : null}
    </section>
  );
}
