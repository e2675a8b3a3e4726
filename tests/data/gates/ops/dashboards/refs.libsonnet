local grafana = import 'grafonnet/grafana.libsonnet';

grafana.row.new(title='Refs')
.addPanel(grafana.graphPanel.new('Tag names', datasource='prometheus')
  .addTarget(grafana.prometheus.target('sum(rate(grpc_server_handled_total{grpc_method="FindAllTagNames"}[5m]))')))
